// The live look-up effect (GET /v1/live/…, docs/protocol.md): the core's `live_request` event says what to
// look up and carries every value the look-up needs in `params`; this module sends exactly those values under
// the protocol's names and reports the outcome as the core's `live(kind, result)` takes it:
// {data} (the server's JSON) or {error: {kind, field}}. It never reads what the resident typed.
import { getJson, ServerError } from './server.js';

// Per event kind: the path and, for each query field of the protocol, the event param it comes from and the
// pattern the protocol allows. Params a kind does not list are not sent.
const PRODUCT = ['product', /^[a-z_]{1,40}$/];
const POSTCODE = ['postcode', /^\d{4} ?[A-Za-z]{2}$/];
const HOUSE_NUMBER = ['house_number', /^\d{1,5}\s?[A-Za-z0-9-]{0,6}$/];
const LOOK_UPS = {
  opening_hours: { path: 'opening-hours', query: {} },
  appointment_slots: { path: 'appointments', query: { product: PRODUCT }, fixed: { limit: '3' } },
  waste_collection: { path: 'waste', query: { postcode: POSTCODE, house_number: HOUSE_NUMBER } },
  // The address is the status look-up's second factor: the reference alone does not find an application.
  application_status: {
    path: 'status',
    query: { reference: ['reference', /^[A-Za-z0-9-]{4,32}$/], postcode: POSTCODE, house_number: HOUSE_NUMBER, product: PRODUCT },
  },
};
// Fields a look-up cannot do without (an optional field that does not fit is left out instead).
const REQUIRED = { waste_collection: ['postcode', 'house_number'], application_status: ['reference', 'postcode', 'house_number'] };

const MUNICIPALITY = /^GM\d{4}$/;

// The request for one live_request event: {path, query} or {error} when a value does not fit the protocol
// (then nothing is sent: the server would refuse it anyway).
export function liveRequest(event, siteMunicipality) {
  const lookUp = LOOK_UPS[event.kind];
  if (!lookUp) return { error: { kind: 'invalid', field: 'kind' } };
  const params = event.params ?? {};
  const gm = MUNICIPALITY.test(params.municipality ?? '') ? params.municipality : siteMunicipality;
  const query = {};
  for (const [field, [param, pattern]] of Object.entries(lookUp.query)) {
    const value = String(params[param] ?? '').trim();
    if (value && pattern.test(value)) query[field] = value;
    else if ((REQUIRED[event.kind] ?? []).includes(field)) return { error: { kind: 'invalid', field } };
  }
  return { path: `v1/live/${gm}/${lookUp.path}`, query: { ...query, ...lookUp.fixed } };
}

const ERROR_KINDS = ['not_found', 'unknown_municipality', 'invalid', 'busy', 'unreachable'];

export class LiveLookUp {
  // Without a server every look-up is `not_connected` (or `offline` when the browser knows it is).
  constructor({ server, municipality, fetchImpl, online = () => true }) {
    this.server = server;
    this.municipality = municipality;
    this.fetch = fetchImpl;
    this.online = online;
  }

  async lookUp(event) {
    if (!this.server) return { error: { kind: this.online() ? 'not_connected' : 'offline', field: '' } };
    const request = liveRequest(event, this.municipality);
    if (request.error) return request;
    try {
      return { data: await getJson(this.server, request.path, request.query, this.fetch) };
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      return { error: { kind: ERROR_KINDS.includes(error.kind) ? error.kind : 'unreachable', field: error.field } };
    }
  }
}
