// glewlwyd (https://github.com/babelouest/glewlwyd): its login app's browser driver, the same
// app answered over its JSON API (codes without a browser), and its admin-API provisioning.

import { z } from 'zod';
import type { ProviderModule } from '../types.ts';
import { completeGlewlwyd, GLEWLWYD_SELECTORS, signInGlewlwyd } from './browser-driver.ts';
import { glewlwydDriver } from './api-driver.ts';
import { provisionGlewlwyd } from './provision.ts';

export const glewlwyd: ProviderModule = {
  driver: 'glewlwyd',
  selectors: GLEWLWYD_SELECTORS,
  browser: { complete: (page, url, o) => completeGlewlwyd(page, url, o), signIn: signInGlewlwyd },
  app: glewlwydDriver,
  provision: [
    {
      step: 'glewlwyd_admin',
      args: z.object({ username: z.string(), password: z.string() }).strict(),
      run: (ctx, args) => provisionGlewlwyd(ctx, args as { username: string; password: string }),
    },
  ],
};
