// glewlwyd (https://github.com/babelouest/glewlwyd): its login app's browser driver, the same
// app answered over its JSON API (codes without a browser), and its admin-API provisioning.

import { provisionStepDef, type ProviderModule } from '../types.ts';
import { completeGlewlwyd, GLEWLWYD_SELECTORS, signInGlewlwyd } from './browser-driver.ts';
import { glewlwydDriver } from './api-driver.ts';
import { provisionGlewlwyd } from './provision.ts';

export const glewlwyd: ProviderModule = {
  driver: 'glewlwyd',
  selectors: GLEWLWYD_SELECTORS,
  browser: { complete: (page, url, o) => completeGlewlwyd(page, url, o), signIn: signInGlewlwyd },
  app: glewlwydDriver,
  provision: [
    provisionStepDef({
      step: 'glewlwyd_admin',
      args: { username: 'string', password: 'string' },
      run: (ctx, args) => provisionGlewlwyd(ctx, args),
    }),
  ],
};
