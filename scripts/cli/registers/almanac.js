// The government almanac (Register van Overheidsorganisaties, organisaties.overheid.nl): its XML export
// ("exportOO", e.g. archive/exportOO_gemeenten.xml) → contact data per municipality, keyed by CBS code.
//
// The export is <overheidsorganisaties><organisaties><organisatie systeemId=…> … with every element in
// one namespace (prefix p:). Only top-level organisations of type "Gemeente" are read; the nested
// <organisaties> inside one are its departments. An organisation with an <eindDatum> has ended (merged
// or renamed away); its successor is a separate organisation with its own CBS code.
import { ImportError, lineAt, parseXml, textOf } from './xml.js';

export const ALMANAC_EXPORT = 'https://organisaties.overheid.nl/archive/exportOO_gemeenten.xml';
const ALMANAC_PAGE = 'https://organisaties.overheid.nl';
const ARRAYS = ['organisatie', 'type', 'resourceIdentifier', 'adres', 'telefoonnummer', 'internetadres', 'contactformulier'];

// One organisation of the export as plain fields, or null when it is not a municipality.
function readOrganisation(org, file, line) {
  const types = (org.types?.type ?? []).map(textOf);
  if (!types.includes('Gemeente')) return null;
  const name = textOf(org.naam);
  if (!name) throw new ImportError(`${file}:${line}`, 'organisatie without <naam>');
  const ended = textOf(org.eindDatum);
  const code = cbsCode(org);
  if (!code && ended) return { code: '', name, line, ended };
  if (!code) throw new ImportError(`${file}:${line}`, `${name}: no CBS code (expected <resourceIdentifier naam="Organisatiecode">gm…</resourceIdentifier> or a TOOI identifier …/gemeente/gm…)`);
  const id = textOf(org['@_systeemId']);
  const labelled = (items, field) => {
    const list = (items ?? []).map((item) => ({ value: textOf(item[field]), label: textOf(item.label).toLowerCase() }))
      .filter((item) => item.value);
    return list.find((item) => item.label === 'algemeen') ?? list.find((item) => item.label !== 'omgevingsloket') ?? null;
  };
  const contact = org.contact ?? {};
  const address = (type) => {
    const adres = (org.adressen?.adres ?? []).find((a) => textOf(a.adresType) === type);
    if (!adres) return null;
    const box = textOf(adres.postbus) || textOf(adres.antwoordnummer);
    const street = [textOf(adres.openbareRuimte), textOf(adres.huisnummer), textOf(adres.toevoeging)].filter(Boolean).join(' ');
    const value = {
      street: street || (box ? `${textOf(adres.postbus) ? 'Postbus' : 'Antwoordnummer'} ${box}` : ''),
      postcode: textOf(adres.postcode),
      city: textOf(adres.woonplaats),
    };
    return value.street && value.city ? value : null;
  };
  return {
    code,
    name,
    line,
    ended,
    page: id ? `${ALMANAC_PAGE}/${encodeURIComponent(id)}/${encodeURIComponent(name.replace(/\s+/g, '_'))}` : null,
    website: labelled(contact.internetadressen?.internetadres, 'url')?.value ?? '',
    phone: labelled(contact.telefoonnummers?.telefoonnummer, 'nummer')?.value ?? '',
    contact: labelled(contact.contactformulieren?.contactformulier, 'url')?.value ?? '',
    appointment: textOf(org.afspraak?.url),
    visit: address('Bezoekadres'),
    post: address('Postadres'),
    owms: identifier(org, 'resourceIdentifierOWMS') || textOf(org['@_resourceIdentifierOWMS']),
  };
}

function identifier(org, naam) {
  const codes = org.identificatiecodes?.resourceIdentifier ?? [];
  return textOf(codes.find((c) => textOf(c['@_naam']).toLowerCase() === naam.toLowerCase()));
}

// "gm0599" from the organisation code, else from the TOOI URI (newer municipalities only have that).
function cbsCode(org) {
  const candidates = [identifier(org, 'Organisatiecode'), identifier(org, 'resourceIdentifierTOOI'), textOf(org['@_resourceIdentifierTOOI'])];
  for (const c of candidates) {
    const m = /(?:^|\/)gm(\d{4})$/i.exec(c);
    if (m) return `GM${m[1]}`;
  }
  return '';
}

// The municipalities in an export. `text` is the file's content, `file` its name for messages.
export function parseAlmanac(text, file) {
  const doc = parseXml(text, file, { arrays: ARRAYS });
  const root = doc.overheidsorganisaties;
  if (!root || typeof root !== 'object') {
    throw new ImportError(`${file}:1`, 'expected the almanac export (root element <p:overheidsorganisaties>)');
  }
  const organisations = root.organisaties?.organisatie ?? [];
  // Line numbers: the n-th top-level <organisatie> start tag. Nested ones sit inside an
  // <organisaties> of their parent, so count depth while scanning start and end tags.
  const lines = topLevelLines(text);
  const municipalities = [];
  organisations.forEach((org, i) => {
    const record = readOrganisation(org, file, lines[i] ?? 1);
    if (record) municipalities.push(record);
  });
  return municipalities;
}

function topLevelLines(text) {
  const lines = [];
  const tag = /<(\/?)(?:[\w.-]+:)?(organisaties|organisatie)\b[^>]*?(\/?)>/g;
  let depth = 0;  // open <organisatie> elements
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (m[2] !== 'organisatie') continue;
    if (m[1]) depth--;
    else {
      if (depth === 0) lines.push(lineAt(text, m.index));
      if (!m[3]) depth++;
    }
  }
  return lines;
}

// The snapshot entry of one municipality: every value with its source (the organisation's almanac page)
// and the date it was checked there.
export function snapshotEntry(record, checked, fallbackSource = ALMANAC_EXPORT) {
  const source = record.page ?? fallbackSource;
  const entry = {};
  for (const field of ['name', 'website', 'phone', 'contact', 'appointment', 'visit', 'post', 'owms']) {
    if (record[field]) entry[field] = { value: record[field], source, checked };
  }
  return entry;
}
