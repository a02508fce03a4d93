// Turns a live-data answer of the server into a message: a sentence, a plain list and links. Everything
// stays text (rendered with textContent), so nothing the server sends can become markup. Dates and times
// are formatted for the conversation's language with Intl, in the municipality's time zone.
import { strings } from './strings.js';

const ZONE = 'Europe/Amsterdam';
const locale = (lang) => (lang === 'en' ? 'en-GB' : 'nl-NL');

// "2026-11-23" → "maandag 23 november" / "Monday 23 November".
export function formatDay(date, lang) {
  const parsed = new Date(`${String(date).slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return String(date);
  return new Intl.DateTimeFormat(locale(lang), { weekday: 'long', day: 'numeric', month: 'long', timeZone: ZONE }).format(parsed);
}

// "2026-11-24T09:30:00+01:00" → "dinsdag 24 november, 09:30" / "Tuesday 24 November, 09:30".
export function formatDateTime(value, lang) {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return String(value);
  const day = new Intl.DateTimeFormat(locale(lang), { weekday: 'long', day: 'numeric', month: 'long', timeZone: ZONE }).format(parsed);
  const time = new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: ZONE }).format(parsed);
  return `${day}, ${time}`;
}

const label = (value, lang) => (value && typeof value === 'object' ? value[lang] ?? value.nl ?? '' : String(value ?? ''));
const periods = (list) => (list ?? []).map((p) => `${p.from}–${p.to}`).join(', ');

// {text, items: [string], links: [{title, url}]} for one live_request kind and the server's answer.
export function describeLive(kind, data, lang, tone) {
  const t = strings(lang, tone);
  switch (kind) {
    case 'opening_hours': {
      const items = (data.week ?? []).map((day) => {
        const hours = day.periods?.length ? periods(day.periods) : t('closedDay');
        const exception = label(day.exception, lang);
        return `${formatDay(day.date, lang)}: ${hours}${exception ? ` (${exception})` : ''}`;
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
      return null;
  }
}
