// The console's calls: the /v1/ops routes and /mapping-table, with the session cookie (never a key), and the
// session's CSRF token on every request that changes something.
const csrf = document.querySelector('meta[name="csrf-token"]').content;

async function answer(res) {
  // The session ended (expired, signed out elsewhere, key revoked): back to the sign-in form.
  if (res.status === 401) {
    location.assign('/console');
    throw new Error('signed out');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

export const get = (path) => fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(answer);

export const post = (path, body) =>
  fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  }).then(answer);

export async function signOut() {
  await fetch('/console/sign-out', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
  location.assign('/console');
}
