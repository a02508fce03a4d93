// TEMPORARY adapter: gives today's wasm Session (wasm/session.js) the shape of the core's Session API of
// issue #13 (welcome, send, choose, live, handover, privacyNote, say, ui, setLanguage, state, save/restore),
// so the rest of the widget is written against that API only. Everything the widget must not do once the
// core has the API lives here and nowhere else: reading the pack (name, tone, texts), parsing and editing
// the saved state, rendering {u|je} alternations (strings.js), wording live data, handover steps and the
// personal-data note, and finding the application reference in the redacted text. Delete this file (and the
// STRINGS table of strings.js) when the core's API is merged.
import { strings, withTone } from './strings.js';

const PII_KINDS = ['bsn', 'iban', 'document_number', 'phone', 'email', 'birth_date', 'licence_plate', 'address'];
const ENDED_REASONS = ['agent_ended', 'resident_ended', 'cancelled', 'no_agent', 'closed', 'shutdown'];
const REFERENCE = /^[A-Za-z0-9-]{4,32}$/;
// ui() key (content/widget.yml of the core) → today's strings.js key (placeholders: %s becomes {agent} or {score}).
const UI_KEYS = {
  subtitle: 'subtitle', close: 'close', new_conversation: 'newConversation', other_language: 'otherLang', transcript: 'transcript',
  bot: 'bot', user: 'user', note: 'note', agent: 'agent', agent_from: 'agentFrom', input_label: 'inputLabel', input_hint: 'inputHint',
  send: 'send', privacy: 'privacy', waiting: 'waiting', thinking: 'thinking', not_sent: 'notSent', retry: 'retry', choices: 'choices',
  links: 'links', external: 'external', read_aloud: 'readAloud', feedback_yes: 'yes', feedback_no: 'no', feedback_thanks: 'thanks',
  nps: 'nps', nps_scale: 'npsScale', nps_thanks: 'npsThanks', live_loading: 'liveLoading', handover_checking: 'handoverChecking',
  cancel_queue: 'cancelQueue', end_chat: 'endChat',
};
const PLACEHOLDERS = { agent_from: '{agent}', nps_thanks: '{score}' };
const SAY_KEYS = { offline: 'offline', live_not_connected: 'liveNotConnected' };

// The reference as the resident typed it ("Z-2026-0042"): the first word with a digit that fits the protocol,
// taken from the redacted text, so a BSN or phone number typed beside it never matches.
function referenceFrom(typed) {
  for (const word of String(typed ?? '').split(/[\s,.;:!?()"']+/)) {
    if (REFERENCE.test(word) && /\d/.test(word)) return word;
  }
  return '';
}

// What the widget read from a content pack: the tone and the thumbs question.
export function packInfo(packJson) {
  const pack = JSON.parse(packJson);
  return { tone: pack.tone === 'je' ? 'je' : 'u', feedback: pack.dialogue?.feedback ?? {} };
}

const ZONE = 'Europe/Amsterdam';
const locale = (lang) => (lang === 'en' ? 'en-GB' : 'nl-NL');
const dayFormat = (lang) => new Intl.DateTimeFormat(locale(lang), { weekday: 'long', day: 'numeric', month: 'long', timeZone: ZONE });

// "2026-11-23" → "maandag 23 november" / "Monday 23 November".
function formatDay(date, lang) {
  const parsed = new Date(`${String(date).slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? String(date) : dayFormat(lang).format(parsed);
}

// "2026-11-24T09:30:00+01:00" → "dinsdag 24 november, 09:30".
function formatDateTime(value, lang) {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return String(value);
  const time = new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: ZONE }).format(parsed);
  return `${dayFormat(lang).format(parsed)}, ${time}`;
}

const label = (value, lang) => (value && typeof value === 'object' ? value[lang] ?? value.nl ?? '' : String(value ?? ''));
const periods = (list) => (list ?? []).map((p) => `${p.from}–${p.to}`).join(', ');

// {text, items, links} for one live_request kind and the server's answer.
function describeLive(kind, data, t, lang) {
  switch (kind) {
    case 'opening_hours': {
      const items = (data.week ?? []).map((day) => {
        const exception = label(day.exception, lang);
        return `${formatDay(day.date, lang)}: ${day.periods?.length ? periods(day.periods) : t('closedDay')}${exception ? ` (${exception})` : ''}`;
      });
      const phone = data.phone ? ` ${t('phone', data.phone)}` : '';
      return { text: `${t(data.open_now ? 'openNow' : 'closedNow')}${phone} ${t('hoursWeek')}`, items, links: [] };
    }
    case 'appointment_slots': {
      const slots = data.slots ?? [];
      const items = slots.map((s) => [formatDateTime(s.start, lang), s.location?.name, s.location?.address].filter(Boolean).join(', '));
      const links = data.booking_url ? [{ title: t('bookAppointment'), url: data.booking_url }] : [];
      return { text: t(slots.length ? 'slots' : 'noSlots'), items, links };
    }
    case 'waste_collection': {
      const items = (data.collections ?? []).map((c) => `${formatDay(c.date, lang)}: ${label(c.label, lang) || c.stream}`);
      const address = `${data.postcode ?? ''} ${data.house_number ?? ''}`.trim();
      return { text: items.length ? t('waste', address) : t('noCollections'), items, links: [] };
    }
    case 'application_status': {
      const status = label(data.label, lang).replace(/\.?$/, '.');
      const updated = data.updated ? ` ${t('updated', formatDay(data.updated, lang))}` : '';
      return { text: `${t('application', data.reference ?? '')} ${status}${updated}`, items: [], links: [] };
    }
    default:
      return { text: t('liveInvalid'), items: [], links: [] };
  }
}

const minutes = (seconds) => Math.max(1, Math.round((Number(seconds) || 0) / 60));
const safeHttps = (url) => (typeof url === 'string' && url.startsWith('https://') ? url : null);

export class TodaySession {
  // `session`: wasm/session.js Session; `redact`: the core's redaction; `info`: packInfo().
  constructor({ session, redact, info }) {
    this.session = session;
    this.redact = redact;
    this.info = info;
    this.noted = [];
    this.phase = 'none';
    this.reference = '';
  }

  get lang() {
    return JSON.parse(this.session.save()).lang === 'en' ? 'en' : 'nl';
  }

  t(key, ...args) {
    return strings(this.lang, this.info.tone)(key, ...args);
  }

  // A response of today's core with the contract's additions (quick-reply kinds, live_request params).
  shaped(response, typed = null) {
    const quickReplies = (response.quick_replies ?? []).map((r) => ({ ...r, kind: r.id === 'handover' ? 'action' : 'dialogue' }));
    const events = (response.events ?? []).map((event) => {
      if (event.type !== 'live_request') return event;
      const params = { ...event.params };
      if ('huisnummer' in params) {
        params.house_number = params.huisnummer;
        delete params.huisnummer;
      }
      if (event.kind === 'application_status') params.reference = this.reference = referenceFrom(this.redact(typed ?? '').text);
      return { ...event, params };
    });
    return { ...response, quick_replies: quickReplies, events, awaiting: this.state().awaiting };
  }

  bubble(text, extra = {}) {
    return { lang: this.lang, text, items: [], links: [], quick_replies: [], events: [], plain: true, ...extra };
  }

  welcome() {
    return this.shaped(this.session.welcome());
  }

  async send(text) {
    return this.shaped(await this.session.send(text), text);
  }

  choose(id) {
    return this.shaped(this.session.choose(id));
  }

  live(kind, result) {
    if (result.data) return this.bubble('', describeLive(kind, result.data, (...a) => this.t(...a), this.lang));
    const { kind: problem, field } = result.error;
    switch (problem) {
      case 'not_found': return this.bubble(kind === 'application_status' ? this.t('liveNotFound', this.reference) : this.t('liveInvalid'));
      case 'unknown_municipality': return this.bubble(this.t('liveUnknownMunicipality'));
      case 'invalid': return this.bubble(this.t(['postcode', 'house_number', 'reference'].includes(field) ? `liveInvalid_${field}` : 'liveInvalid'));
      case 'busy': return this.bubble(this.t('liveBusy'));
      case 'offline': return this.bubble(this.t('offline'));
      case 'not_connected': return this.bubble(this.t('liveNotConnected'));
      default: return this.bubble(this.t('liveUnreachable'));
    }
  }

  // Phone, contact form and call-back link from the server's availability answer.
  alternatives(key, alt) {
    const links = [[this.t('contactForm'), alt?.contact_form_url], [this.t('callback'), alt?.callback_url]]
      .filter(([, url]) => safeHttps(url)).map(([title, url]) => ({ title, url }));
    return this.bubble(this.t(key), { items: alt?.phone ? [this.t('callPhone', alt.phone)] : [], links });
  }

  // The municipality's contact answer with a first line saying why.
  contact(key) {
    const answer = this.choose('product:contact');
    return { ...answer, text: `${this.t(key)}\n\n${answer.text}` };
  }

  handover(event) {
    switch (event.type) {
      case 'unavailable': return this.contact('handoverUnavailable');
      case 'failed': return event.alternatives ? this.alternatives('handoverFailed', event.alternatives) : this.contact('handoverFailed');
      case 'closed': return this.alternatives('handoverClosed', event.alternatives);
      case 'no_agent': return this.alternatives('handoverNoAgent', event.alternatives);
      case 'consent':
        this.phase = 'consent';
        return this.bubble(`${this.t('handoverWait', event.queue_length ?? 0, minutes(event.eta_seconds))} ${this.t('consentQuestion')} ${this.t('consentExplain')}`, {
          quick_replies_label: this.t('consentQuestion'),
          quick_replies: [{ id: 'handover:consent_yes', label: this.t('consentYes'), kind: 'action' },
            { id: 'handover:consent_no', label: this.t('consentNo'), kind: 'action' }] });
      case 'started': this.phase = 'waiting'; return this.bubble(this.t('connecting'));
      case 'queued': this.phase = 'waiting'; return this.bubble(this.t('queued', event.position, minutes(event.eta_seconds)));
      case 'agent_joined': this.phase = 'connected'; return this.bubble(this.t('agentJoined', event.name));
      case 'agent_left': this.phase = 'waiting'; return this.bubble(this.t('agentLeft'));
      case 'typing': return this.bubble(this.t('agentTyping', event.name || this.t('agent')));
      case 'lost': return this.bubble(this.t('reconnecting'));
      case 'reconnected': return this.bubble(this.t('reconnected'));
      case 'ended':
        this.phase = 'ended';
        if (event.reason === 'failed') return this.alternatives('handoverFailed', event.alternatives);
        return this.bubble(this.t(ENDED_REASONS.includes(event.reason) ? `ended_${event.reason}` : 'ended_shutdown'));
      default: throw new Error(`handover event: unknown type '${event.type}'`);
    }
  }

  privacyNote(redaction, { toAgent = false, addressExpected = false } = {}) {
    const counts = redaction.counts ?? {};
    const kinds = PII_KINDS.filter((kind) => counts[kind] > 0 && !this.noted.includes(kind) && !(kind === 'address' && addressExpected));
    if (!kinds.length) return null;
    this.noted.push(...kinds);
    const names = kinds.map((kind) => this.t(`pii_${kind}`));
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} ${this.t('and')} ${names.at(-1)}` : names[0];
    return this.bubble(`${this.t('pii', list)}${toAgent ? ` ${this.t('piiAgent')}` : ''}`);
  }

  say(key) {
    if (key === 'feedback') {
      const question = this.info.feedback[this.lang];
      return this.bubble(question ? withTone(question, this.info.tone) : this.t('feedback'));
    }
    if (!SAY_KEYS[key]) throw new Error(`say: unknown key '${key}'`);
    return this.bubble(this.t(SAY_KEYS[key]));
  }

  ui() {
    const texts = { subtitle_of: this.t('subtitleOf', '{municipality}') };
    for (const [key, today] of Object.entries(UI_KEYS)) texts[key] = this.t(today, PLACEHOLDERS[key]);
    return texts;
  }

  setLanguage(lang) {
    const state = JSON.parse(this.session.save());
    if (state.lang === lang) return;
    state.lang = lang;
    this.session.restore(JSON.stringify(state));
  }

  state() {
    const s = JSON.parse(this.session.save());
    return { lang: s.lang, tone: this.info.tone, awaiting: s.pending ?? 'none', handover: this.phase,
      topic: { product: s.product ?? null, aspect: s.aspect ?? null, municipality: s.municipality ?? null, person: s.person ?? null } };
  }

  save() {
    return JSON.stringify({ core: this.session.save(), noted: this.noted, handover: this.phase });
  }

  restore(saved) {
    try {
      const { core, noted, handover } = JSON.parse(saved);
      this.session.restore(core);
      this.noted = Array.isArray(noted) ? noted.filter((k) => PII_KINDS.includes(k)) : [];
      this.phase = typeof handover === 'string' ? handover : 'none';
      return { restored: true };
    } catch (error) {
      return { restored: false, error: String(error.message ?? error) };
    }
  }

  reset() {
    this.session.reset();
    this.noted = [];
    this.phase = 'none';
  }

  close() {
    this.session.close();
  }

  set understanding(understanding) {
    this.session.understanding = understanding;
  }
}
