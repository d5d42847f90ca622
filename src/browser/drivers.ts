// Login drivers: they get a browser from the provider's first page to the relying party, typing
// credentials and answering consent on the provider's real pages. The generic form driver lives
// here; a provider whose login pages need their own driver registers it in src/providers/.

import type { FormLoginSelectors, LoginDriverSpec } from '../model/target.ts';
import { providerModule } from '../providers/index.ts';
import { completeAuthorization, expectLoginPage, fillSecret, type BrowserDriver } from './steps.ts';

export { completeAuthorization, expectLoginPage, fillSecret, LoginError, unrecognisedLogin, visibleKind, type BrowserDriver, type CompleteOptions, type Landing } from './steps.ts';

export const EMBEDDED_SELECTORS: FormLoginSelectors = {
  username: '#username',
  password: '#password',
  submit: '#sign-in',
  consentAccept: '#consent-accept',
  consentDeny: '#consent-deny',
  consentRemember: '#pre-configure',
  otp: '#otp',
  otpSubmit: '#otp-submit',
};

/** The selectors a driver reads server-rendered pages with (raw HTTP) and drives the browser by. */
export function selectorsFor(spec: LoginDriverSpec): FormLoginSelectors {
  switch (spec.driver) {
    case 'form':
      return spec.selectors;
    case 'embedded':
      return EMBEDDED_SELECTORS;
    case 'provider':
      return providerModule(spec.name).selectors;
  }
}

export function browserDriver(spec: LoginDriverSpec): BrowserDriver {
  const selectors = selectorsFor(spec);
  if (spec.driver === 'provider') return { selectors, ...providerModule(spec.name).browser };
  return {
    selectors,
    complete: (page, url, o) => completeAuthorization(page, selectors, url, o),
    signIn: async (page, username, password) => {
      await expectLoginPage(page, selectors.username);
      await page.fill(selectors.username, username);
      await fillSecret(page, selectors.password, password);
      await Promise.all([page.waitForLoadState('load'), page.waitForEvent('framenavigated'), page.click(selectors.submit)]);
    },
  };
}

