// Minimal, real login and consent pages for the embedded reference provider. Their selectors are
// the `embedded` login driver's (src/browser/drivers.ts): keep both in step.

const style = `body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0}
.error{color:#b00020}`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>${style}</style></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

export function loginPage(uid: string, clientName: string, error?: string): string {
  return page(
    'Sign in',
    `<p>to continue to <b>${escape(clientName)}</b></p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button id="sign-in" type="submit">Sign in</button></form>`,
  );
}

export function consentPage(uid: string, clientName: string, scopes: string[], canRemember = false): string {
  const items = scopes.map((s) => `<li id="scope-${escape(s)}">${escape(s)}</li>`).join('');
  return page(
    'Consent',
    `<p><b>${escape(clientName)}</b> asks for:</p><ul>${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm">${canRemember ? '<label><input type="checkbox" id="pre-configure" name="remember" value="1"> Remember this consent</label>' : ''}<button id="consent-accept" type="submit">Accept</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button id="consent-deny" type="submit">Deny</button></form>`,
  );
}

export function errorPage(fields: Record<string, unknown>): string {
  const rows = Object.entries(fields)
    .map(([k, v]) => `<dt>${escape(k)}</dt><dd id="error-${escape(k)}">${escape(String(v))}</dd>`)
    .join('');
  return page('An error occurred', `<dl id="error">${rows}</dl>`);
}

export function otpPage(uid: string, clientName: string, error?: string): string {
  return page(
    'Second factor',
    `<p><b>${escape(clientName)}</b> requires a one-time password</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/otp" autocomplete="off">
<label for="otp">One-time password</label><input id="otp" name="otp" inputmode="numeric" required autofocus>
<button id="otp-submit" type="submit">Verify</button></form>`,
  );
}
