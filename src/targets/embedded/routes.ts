/** Authelia's endpoint paths, so that a report against the reference reads like one against Authelia. */
export const ROUTES = {
  authorization: '/api/oidc/authorization',
  token: '/api/oidc/token',
  userinfo: '/api/oidc/userinfo',
  introspection: '/api/oidc/introspection',
  revocation: '/api/oidc/revocation',
  jwks: '/jwks.json',
} as const;
