// Exit 0 and print the path when the harness can find a Chromium (used by scripts/setup.sh).
import { findChromium } from '../src/browser/launch.ts';

const found = findChromium();
if (found) console.log(found);
process.exit(found ? 0 : 1);
