/** No inline script or style anywhere in the console, so its pages can forbid both. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const head = (title: string, extra = '') => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/console/assets/console.css">${extra}
</head>`;

/** Why a sign-in failed, as the form says it: fixed sentences, never the submitted value. */
export const SIGN_IN_ERRORS = {
  invalid: 'That key is not an active operator key.',
  tenant: 'Tenant keys cannot open the console: sign in with an operator key (vk_op_...).',
} as const;
export type SignInError = keyof typeof SIGN_IN_ERRORS;

/** The sign-in form: the operator key is posted once, exchanged for a session cookie, and kept nowhere else. */
export function signInPage(error?: SignInError): string {
  return `${head('verigate console: sign in')}
<body class="sign-in">
  <form method="post" action="/console/sign-in" autocomplete="off">
    <h1>verigate console</h1>
    <p>Sign in with an operator key (<code>vk_op_...</code>: <code>npx verigate operator create</code>, or the one <code>npm start</code> prints).</p>
    ${error ? `<p class="error" role="alert">${SIGN_IN_ERRORS[error]}</p>` : ''}
    <label>Operator key <input type="password" name="key" required autofocus spellcheck="false"></label>
    <button type="submit">Sign in</button>
  </form>
</body>
</html>
`;
}

/**
 * The console itself: a shell the script fills in. The session's CSRF token is in a meta tag (the page is
 * never cached), for the script to send back on the requests that change something.
 */
export function consolePage(csrfToken: string): string {
  return `${head('verigate console', `\n  <meta name="csrf-token" content="${csrfToken}">`)}
<body>
  <div id="console"></div>
  <script src="/console/assets/chart.umd.js"></script>
  <script type="module" src="/console/assets/app.js"></script>
</body>
</html>
`;
}
