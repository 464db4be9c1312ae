// The session and every call to the server. The secret a person types (API key or admin password) is sent once, in a
// header, to POST /api/auth/token and never kept: the app keeps only the short-lived token, in this tab's
// sessionStorage, and renews it while the tab is open. A request the server refuses for its token ends the session.

const STORE = 'engram.session';
let session = null;
let renewTimer = null;
let onEnded = () => {};

/** A refused request, with the server's status and its {"detail"} words. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function currentSession() {
  return session;
}

/** Called with a reason when the session ends by itself (expired or refused token). */
export function whenSessionEnds(listener) {
  onEnded = listener;
}

/** The saved session of this tab, if it has not expired. */
export function restoreSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) || 'null');
    if (saved && saved.token && Date.parse(saved.expiresAt) > Date.now() + 5000) {
      keep(saved);
      return saved;
    }
  } catch {
    // a damaged entry is no session
  }
  sessionStorage.removeItem(STORE);
  return null;
}

export async function signIn(secret) {
  const answer = await exchange(secret);
  keep(answer);
  return answer;
}

export function signOut() {
  clearTimeout(renewTimer);
  session = null;
  sessionStorage.removeItem(STORE);
}

function end(reason) {
  if (!session) return;
  signOut();
  onEnded(reason);
}

async function exchange(credential) {
  let res;
  try {
    res = await fetch('/api/auth/token', { method: 'POST', headers: { Authorization: `Bearer ${credential}` } });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is Engram running?');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, res.status === 403 || res.status === 401
      ? 'That key or password is not valid.' : body.detail || `The server answered ${res.status}`);
  }
  // admin: a token issued to the admin password (the server checks it on every admin call; this only shows the tab)
  return { token: body.token, expiresAt: body.expires_at, userId: body.user_id, admin: body.admin === true };
}

function keep(s) {
  session = s;
  sessionStorage.setItem(STORE, JSON.stringify(s));
  clearTimeout(renewTimer);
  // renew at 80 % of the token's life; a tab that slept past its expiry finds out at its next call
  const left = Date.parse(s.expiresAt) - Date.now();
  renewTimer = setTimeout(renew, Math.max(10_000, left * 0.8));
}

async function renew() {
  if (!session) return;
  try {
    keep(await exchange(session.token));
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      end('Your session has expired. Sign in again.');
    } else {
      renewTimer = setTimeout(renew, 15_000);
    }
  }
}

/** True when a refusal is about the token itself (not about what was asked). */
function refusesToken(status, detail) {
  return status === 401 || (status === 403 && /^Authentication error/.test(detail || ''));
}

async function handle(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return body;
  const detail = (body && typeof body.detail === 'string') ? body.detail : `The server answered ${res.status}`;
  if (refusesToken(res.status, detail)) {
    end('Your session has expired. Sign in again.');
  }
  throw new ApiError(res.status, detail);
}

/** A JSON call: api('GET', '/api/agents'), api('POST', path, body). */
export async function api(method, path, body) {
  if (!session) throw new ApiError(401, 'Not signed in');
  const headers = { Authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check that Engram is running.');
  }
  return handle(res);
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Uploads a file as multipart field "file", reporting progress (0..1); resolves with the JSON answer. */
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    if (!session) {
      reject(new ApiError(401, 'Not signed in'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      handle(new Response(xhr.responseText, { status: xhr.status })).then(resolve, reject);
    });
    // the server closes the connection of an upload over MAX_UPLOAD_BYTES, which a browser may see as a network error
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload was cut off before the server answered:'
      + ' the server is unreachable, or the file is larger than it accepts (MAX_UPLOAD_BYTES).')));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** The WebSocket URL of an agent, with the session's short-lived token (never the key). */
export function socketUrl(agentId) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/agents/${encodeURIComponent(agentId)}/ws?token=${encodeURIComponent(session.token)}`;
}
