// Requests to the municipality's Gem server (docs/protocol.md). Each request carries only the fields the
// protocol lists. No cookies (credentials: 'omit'), no referrer. The effects build on these: live.js (look-ups),
// handover.js (availability and the socket), analytics.js (events), samples.js (a shared question).

// A failed request: `kind` is 'unreachable' (offline, server down, CORS), 'not_found', 'unknown_municipality',
// 'invalid' (400, with the `field` the server named), 'busy' (429) or 'failed' (anything else).
export class ServerError extends Error {
  constructor(kind, field = '') {
    super(kind);
    this.kind = kind;
    this.field = field;
  }
}

function endpoint(server, path, query = {}) {
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
  return url.href;
}

// GET `path` on the server: the JSON body, or a ServerError.
export async function getJson(server, path, query, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(endpoint(server, path, query), { credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ServerError('unreachable');
  }
  const body = await jsonOf(response);
  if (response.ok && body) return body;
  throw failure(response, body);
}

async function jsonOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// The ServerError for a response that is not ok.
function failure(response, body) {
  const code = body?.error;
  if (response.status === 404) return new ServerError(code === 'unknown_municipality' ? 'unknown_municipality' : 'not_found');
  if (response.status === 400) return new ServerError('invalid', body?.field ?? '');
  if (response.status === 413) return new ServerError('invalid', 'body');
  if (response.status === 429) return new ServerError('busy');
  return new ServerError('failed');
}

// POST `body` as JSON to `path` (204 or another 2xx: done), or a ServerError. Used for a shared sample
// (POST /v1/samples), sent only after the resident pressed "share".
export async function postJson(server, path, body, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(endpoint(server, path), {
      method: 'POST', credentials: 'omit', referrerPolicy: 'no-referrer',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
  } catch {
    throw new ServerError('unreachable');
  }
  if (!response.ok) throw failure(response, await jsonOf(response));
}

// POST /v1/events: enumerated events only. keepalive lets the last batch go out while the page unloads.
export async function postEvents(server, municipality, events, fetchImpl = fetch) {
  const response = await fetchImpl(endpoint(server, 'v1/events'), {
    method: 'POST', credentials: 'omit', referrerPolicy: 'no-referrer', keepalive: true,
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ municipality, events }),
  });
  if (!response.ok) throw new ServerError(response.status === 429 ? 'busy' : 'failed');
}

// ws(s)://…/v1/handover on the same server.
export function handoverSocketUrl(server) {
  const url = new URL(endpoint(server, 'v1/handover'));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
