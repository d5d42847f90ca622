// Authelia's documented behaviour beyond the standard (docs: identity_providers.oidc, its CORS,
// client and lifespan sections; ../shared/docs/authelia-oidc-facts.md), for `provider: authelia-*`.

import type { ProviderBehaviour } from '../../model/behaviour.ts';

// 4.39 serves scope claims from userinfo only; 4.38 also put them in the ID token.
function authelia(version: '4.39' | '4.38'): ProviderBehaviour {
  return {
    name: `authelia-${version}`,
    label: `Authelia ${version} documented behaviour`,
    claimsProfile: version === '4.39' ? 'authelia-4.39' : 'authelia-legacy',
    configurationDefaults: true,
    refreshRotation: true,
    authTimeAlways: true,
    exactErrorCodes: true,
    ...(version === '4.39' ? { idTokenClaimsFix: 'a claims_policy listing it under id_token, identity_providers.oidc.claims_policies.<name>.id_token, and clients[].claims_policy: <name>' } : {}),
    cors: {
      openEndpointsWildcard: true,
      noHeadersWithoutOrigin: true,
      credentialsOn: ['token', 'userinfo', 'introspection'],
      anyHttpsWhenUnlisted: true,
    },
  };
}

export const autheliaBehaviours: ProviderBehaviour[] = [authelia('4.39'), authelia('4.38')];
