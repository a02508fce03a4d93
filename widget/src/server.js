// Requests to the municipality's Gem server (docs/protocol.md). Each request carries only the fields the
// protocol lists; none carries what the resident typed, except the reference or address a look-up needs.
// No cookies (credentials: 'omit'), no referrer.

const REFERENCE = /^[A-Za-z0-9-]{4,32}$/;

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

async function getJson(url, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ServerError('unreachable');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body) return body;
  const code = body?.error;
  if (response.status === 404) throw new ServerError(code === 'unknown_municipality' ? 'unknown_municipality' : 'not_found');
  if (response.status === 400) throw new ServerError('invalid', body?.field ?? '');
  if (response.status === 429) throw new ServerError('busy');
  throw new ServerError('failed');
}

// The reference as the resident typed it ("Z-2026-0042"): the first word with a digit that fits the protocol.
// The caller passes the text redacted, so a BSN or phone number typed beside it is a placeholder and never
// matches. '' when there is none (nothing is then sent).
export function referenceFrom(typed) {
  for (const word of String(typed ?? '').split(/[\s,.;:!?()"']+/)) {
    if (REFERENCE.test(word) && /\d/.test(word)) return word;
  }
  return '';
}

// The live-data URL for a dialogue `live_request` event, or null for a kind the protocol does not know.
// `reference` is the application's reference (referenceFrom), used only for application_status.
function liveUrl(server, municipality, event, reference) {
  const p = event.params ?? {};
  const gm = /^GM\d{4}$/.test(p.municipality ?? '') ? p.municipality : municipality;
  const base = `v1/live/${gm}/`;
  switch (event.kind) {
    case 'opening_hours': return endpoint(server, `${base}opening-hours`);
    case 'appointment_slots': return endpoint(server, `${base}appointments`, { product: p.product, limit: '3' });
    case 'waste_collection': return endpoint(server, `${base}waste`, { postcode: p.postcode, house_number: p.house_number });
    case 'application_status':
      return endpoint(server, `${base}status`, { reference, product: p.product });
    default: return null;
  }
}

export function fetchLive(server, municipality, event, reference, fetchImpl = fetch) {
  const url = liveUrl(server, municipality, event, reference);
  if (!url) return Promise.reject(new ServerError('failed'));
  return getJson(url, fetchImpl);
}

export function fetchAvailability(server, municipality, fetchImpl = fetch) {
  return getJson(endpoint(server, `v1/handover/${municipality}/availability`), fetchImpl);
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
