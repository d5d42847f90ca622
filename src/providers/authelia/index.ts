// Authelia (https://www.authelia.com): its login portal's browser driver and its documented
// behaviour for `provider: authelia-4.39` / `authelia-4.38`.

import type { ProviderModule } from '../types.ts';
import { AUTHELIA_SELECTORS, autheliaPortalPage, completeAuthelia, signInAuthelia } from './browser-driver.ts';
import { autheliaBehaviours } from './behaviour.ts';

export const authelia: ProviderModule = {
  driver: 'authelia',
  selectors: AUTHELIA_SELECTORS,
  browser: { complete: (page, url, o) => completeAuthelia(page, url, o), signIn: signInAuthelia, opaque: autheliaPortalPage },
  behaviours: autheliaBehaviours,
};
