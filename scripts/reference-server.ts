// Runs the embedded reference provider as a standalone process, for pointing the harness at an
// "already running" provider or using it as a `command` target:
//   npx tsx scripts/reference-server.ts [--profile docker/reference] [--port 9091] [--host 0.0.0.0]
// It is also the entry point of the docker/reference image.
import { parseArgs } from 'node:util';
import { loadProfile } from '../src/config/profile.ts';
import { startEmbedded } from '../src/targets/embedded/provider.ts';

const { values } = parseArgs({ options: { profile: { type: 'string', default: 'docker/reference' }, port: { type: 'string', default: '9091' }, host: { type: 'string', default: '127.0.0.1' } } });
const target = await startEmbedded(loadProfile(values.profile!), { port: Number(values.port), host: values.host! });
console.log(`reference provider: ${target.issuer}`);
const stop = () => void target.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
