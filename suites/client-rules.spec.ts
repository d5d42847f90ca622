import { check, describe, collectProfile, skip, allowTime } from './harness.ts';
import * as r from '../src/checks/client-rules.ts';
import { FULL_MAX_WAIT_S, MAX_WAIT_S } from '../src/checks/lifespans.ts';
import { expectConfigured } from '../src/checks/basis.ts';

const suite = 'client-rules';
// The client's consent_mode, not a prompt=consent (which requests with offline_access carry, OIDC
// Core §11), must decide whether consent is asked: consent checks send no prompt.
const NO_PROMPT = { params: { prompt: undefined } };
const profile = collectProfile();

for (const client of profile.clients) {
  describe(client.id, () => {
    check(suite, r.clientRuleChecks.responseType, async ({ session }) => {
      const other = r.RESPONSE_TYPES.find((t) => !client.responseTypes.includes(t) && t.includes('id_token'));
      if (!other) skip(`${client.id} is allowed every response type`);
      const req = await session.request(client, { params: { response_type: other } });
      r.checkFrontRefused(await session.attempt(req, client), { message: `response_type ${other} was served to ${client.id}, which is allowed ${client.responseTypes.join(', ')}`, source: client.sources.responseTypes ?? 'response_types', sent: { response_type: other } });
    }, client);

    check(suite, r.clientRuleChecks.responseMode, async ({ session, run }) => {
      expectConfigured(run.profile, client.sources.responseModes, `response_modes of ${client.id}`);
      const others = r.RESPONSE_MODES.filter((m) => !client.responseModes.includes(m));
      if (others.length === 0) skip(`${client.id} is allowed every response mode`);
      // Every mode the client is not allowed, form_post included (its answer is a page posting
      // the code, which the session reads as the callback it is).
      for (const other of others) {
        const req = await session.request(client, { params: { response_mode: other } });
        r.checkFrontRefused(await session.attempt(req, client), { message: `response_mode ${other} was served to ${client.id}, which is allowed ${client.responseModes.join(', ')}`, source: client.sources.responseModes ?? 'response_modes', sent: { response_mode: other } });
      }
    }, client);

    check(suite, r.clientRuleChecks.consentMode, async ({ session, run }) => {
      expectConfigured(run.profile, client.sources.consentMode, `consent_mode of ${client.id}`);
      if (client.consentMode === 'pre-configured') {
        if (!session.selectors.consentRemember) skip('the login driver has no consent_remember selector to tick');
        const fewer = client.scopes.filter((s) => s !== 'openid').slice(1);
        if (fewer.length === client.scopes.filter((s) => s !== 'openid').length) skip(`${client.id} has only openid, so no other scope set to ask for`);
        // Expiry is watched only for short durations, like code lifespans.
        const duration = client.preConfiguredConsentDuration ?? Infinity;
        // (--full: every duration up to FULL_MAX_WAIT_S.)
        const wait = duration <= (run.full ? FULL_MAX_WAIT_S : MAX_WAIT_S) ? (duration + 1) * 1000 : undefined;
        if (wait) allowTime(wait + 60_000);
        return void r.checkRememberedConsent(client, await session.rememberedConsent(client, ['openid', ...fewer].join(' '), wait));
      }
      const { askedAgain, pageUrl, exchange } = await session.consentAskedAgain(client, await session.request(client, NO_PROMPT));
      r.checkConsentMode(client, askedAgain, pageUrl, exchange);
    }, client);

    check(suite, r.clientRuleChecks.twoFactor, async ({ session, run }) => {
      if (client.authorizationPolicy !== 'two_factor') skip(`${client.id} is one_factor (${client.sources.authorizationPolicy ?? 'authorization_policy'})`);
      expectConfigured(run.profile, client.sources.authorizationPolicy, `authorization_policy of ${client.id}`);
      const oneFactor = run.profile.clients.find((c) => c.authorizationPolicy === 'one_factor');
      if (!oneFactor) skip('no one_factor client to make a one-factor session with');
      const result = await session.afterOneFactor(oneFactor, await session.request(client, NO_PROMPT));
      if (!result) skip(`signing in through ${oneFactor.id} needs the browser; the one-factor session is made over raw HTTP only`);
      r.checkSecondFactorDemanded(result, client);
    }, client);

    for (const [def, param] of [[r.clientRuleChecks.stateEntropy, 'state'], [r.clientRuleChecks.nonceEntropy, 'nonce']] as const) {
      check(suite, def, async ({ session, run }) => {
        expectConfigured(run.profile, run.profile.provider.sources.minimumParameterEntropy, 'minimum_parameter_entropy');
        const min = run.profile.provider.minimumParameterEntropy;
        if (min <= 1) skip(`minimum_parameter_entropy is ${min}`);
        const short = 'x'.repeat(min - 1);
        const req = await session.request(client, { params: { [param]: short } });
        r.checkFrontRefused(await session.attempt(req, client), { message: `a ${param} of ${short.length} characters was accepted for ${client.id}`, source: run.profile.provider.sources.minimumParameterEntropy ?? `minimum_parameter_entropy = ${min}`, sent: { [param]: `${short.length} characters` } });
      }, client);
    }
  });
}
