// The registers' data in content/registers/ and how it reaches the packs:
//   almanac.yml            contact data of every municipality (scripts/gem content import-almanac)
//   catalogue/GMxxxx.yml   product pages from one municipality's catalogue (scripts/gem content import-catalogue)
//   upl.yml                which of Gem's links is which uniform product name (written by editors)
// Every imported value is {value, source, checked}. A municipality's pack variables come from, in order:
// its hand-written file (content/municipalities/), its catalogue, the almanac, the national fallback.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

import { parseAlmanac, snapshotEntry } from './almanac.js';
import { parseCatalogue } from './catalogue.js';
import { ImportError } from './xml.js';

export const ALMANAC_FILE = 'content/registers/almanac.yml';
export const UPL_FILE = 'content/registers/upl.yml';
export const CATALOGUE_DIR = 'content/registers/catalogue';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// --- reading --------------------------------------------------------------------------------------

// `read` is readYamlWithPositions (content.js): data with "_at"/"_lines" on every mapping.
export function readRegisters(root, read) {
  const file = (name) => (existsSync(join(root, name)) ? read(join(root, name)) : null);
  const dir = join(root, CATALOGUE_DIR);
  const catalogues = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.yml')).sort().map((f) => read(join(dir, f))).filter(Boolean)
    : [];
  return { almanac: file(ALMANAC_FILE), upl: file(UPL_FILE), catalogues };
}

const valueOf = (field) => (field && typeof field === 'object' && 'value' in field ? field.value : undefined);
// A municipality's value as written in any of the content's forms: plain, {value, …} or {nl, en, …}.
const plainValue = (field) => (typeof field === 'string' ? field : field?.value ?? field?.nl);
const isHttps = (v) => typeof v === 'string' && v.startsWith('https://');

// 'ALPHEN AAN DEN RIJN' → 'Alphen aan den Rijn' (the almanac writes most place names in capitals).
const PARTICLES = new Set(['aan', 'de', 'den', 'der', 'en', 'het', 'in', 'op', 'bij', 'ter', 'ten', 'van']);
export function placeName(raw) {
  if (raw !== raw.toUpperCase()) return raw;
  return raw.toLowerCase().split(/(\s+|-)/).map((word, i) => {
    if (word === "'s") return word;
    if (i > 0 && PARTICLES.has(word)) return word;
    if (word.startsWith('ij')) return `IJ${word.slice(2)}`;
    return word.charAt(0).toUpperCase() + word.slice(1);
  }).join('');
}

// The pack variables one municipality gets from the registers, with the line each came from.
export function registerVariables(code, registers) {
  const vars = {};
  const lines = {};
  // Each value keeps the source and check date of the register field it came from (content/README.md).
  const set = (name, value, line, field) => {
    if (value === undefined || value === '' || name in vars) return;
    vars[name] = { value, source: field?.source, checked: field?.checked };
    lines[name] = line;
  };
  const catalogue = registers.catalogues.find((c) => c.municipality === code);
  for (const [name, field] of Object.entries(catalogue?.variables ?? {})) {
    if (!name.startsWith('_') && isHttps(valueOf(field))) set(name, valueOf(field), catalogue.variables._lines[name], field);
  }
  const entry = registers.almanac?.municipalities?.[code];
  if (entry) {
    const line = (field) => entry._lines[field];
    set('phone', valueOf(entry.phone), line('phone'), entry.phone);
    if (isHttps(valueOf(entry.website))) set('url.website', valueOf(entry.website), line('website'), entry.website);
    if (isHttps(valueOf(entry.contact))) set('url.contact', valueOf(entry.contact), line('contact'), entry.contact);
    else if (isHttps(valueOf(entry.website))) set('url.contact', valueOf(entry.website), line('website'), entry.website);
    if (isHttps(valueOf(entry.appointment))) set('url.afspraak', valueOf(entry.appointment), line('appointment'), entry.appointment);
    const visit = valueOf(entry.visit);
    if (visit?.street && visit?.city) {
      const where = `${visit.street}, ${placeName(visit.city)}`;
      set('address.stadswinkel', { nl: `het gemeentehuis (${where})`, en: `the town hall (${where})` }, line('visit'), entry.visit);
    }
  }
  return { vars, lines, at: catalogue?._at ?? entry?._at };
}

// The municipalities the core compiles: the hand-written ones with register values added where they set
// nothing themselves, and one entry for every other municipality that the registers know.
export function withRegisters(municipalities, registers, gazetteer) {
  const byCode = new Map(municipalities.map((m) => [m.municipality, m]));
  const merged = [];
  for (const { code, name } of gazetteer) {
    const own = byCode.get(code);
    const { vars, lines, at } = registerVariables(code, registers);
    if (own) {
      const ownVars = own.variables ?? { _at: own._at, _lines: {} };
      merged.push({ ...own, variables: { ...vars, ...ownVars, _lines: { ...ownVars._lines } } });
    } else if (Object.keys(vars).length) {
      merged.push({ _at: at, _lines: {}, municipality: code, name, tone: 'u', registers: true, variables: { ...vars, _at: at, _lines: lines } });
    }
    byCode.delete(code);
  }
  return [...merged, ...byCode.values()];  // files for unknown codes: the core reports them
}

// What the core cannot know: every municipality has a website and phone number, every imported value
// carries its source and check date, and the UPL mapping names declared links of existing products.
export function checkRegisters(source, registers, gazetteer, labels) {
  const errors = [];
  const almanacAt = registers.almanac?._at ?? ALMANAC_FILE;
  const lineIn = (obj, key) => (obj?._lines?.[key] ? `${obj._at.replace(/:\d+$/, '')}:${obj._lines[key]}` : obj?._at);
  const byCode = new Map(source.municipalities.map((m) => [m.municipality, m]));
  for (const { code, name } of gazetteer) {
    const vars = byCode.get(code)?.variables ?? {};
    const where = lineIn(registers.almanac?.municipalities, code) ?? almanacAt;
    if (!isHttps(plainValue(vars['url.website']))) errors.push({ at: where, message: `${code} ${name} has no website: import the almanac export (scripts/gem content import-almanac) or set url.website in content/municipalities/${code}.yml` });
    if (!plainValue(vars.phone)) errors.push({ at: where, message: `${code} ${name} has no phone number: import the almanac export (scripts/gem content import-almanac) or set phone in content/municipalities/${code}.yml` });
  }
  const checkField = (obj, key) => {
    const field = obj[key];
    const at = lineIn(obj, key);
    if (!field || typeof field !== 'object' || !('value' in field)) errors.push({ at, message: `${key}: expected {value, source, checked}` });
    else if (!isHttps(field.source)) errors.push({ at, message: `${key}: expected the source as an https:// address, found '${field.source ?? ''}'` });
    else if (!DATE.test(String(field.checked ?? ''))) errors.push({ at, message: `${key}: expected the check date as YYYY-MM-DD, found '${field.checked ?? ''}'` });
  };
  for (const [code, entry] of Object.entries(registers.almanac?.municipalities ?? {})) {
    if (code.startsWith('_')) continue;
    for (const key of Object.keys(entry)) if (!key.startsWith('_')) checkField(entry, key);
  }
  for (const catalogue of registers.catalogues) {
    for (const key of Object.keys(catalogue.variables ?? {})) if (!key.startsWith('_')) checkField(catalogue.variables, key);
  }
  const declared = new Set([...Object.keys(source.variables ?? {}), ...source.products.flatMap((p) => Object.keys(p.variables ?? {}))]);
  const links = registers.upl?.links ?? {};
  for (const [variable, link] of Object.entries(links)) {
    if (variable.startsWith('_')) continue;
    const at = lineIn(links, variable);
    if (!declared.has(variable)) errors.push({ at, message: `${variable}: not a declared variable (content/variables.yml or a product file)` });
    if (link.product && !labels.products.includes(link.product)) errors.push({ at, message: `${variable}: unknown product '${link.product}'` });
    if (link.aspect && !labels.aspects.includes(link.aspect)) errors.push({ at, message: `${variable}: unknown aspect '${link.aspect}'` });
    if (link.dialogue && !(link.dialogue in (source.dialogue ?? {}))) errors.push({ at, message: `${variable}: unknown dialogue text '${link.dialogue}'` });
    if (!Array.isArray(link.upl) || !link.upl.length || !link.upl.every((u) => /^https?:\/\/standaarden\.overheid\.nl\/owms\/terms\//.test(u))) {
      errors.push({ at, message: `${variable}: expected upl: [one or more URIs of the form http://standaarden.overheid.nl/owms/terms/…]` });
    }
  }
  return errors;
}

// --- writing --------------------------------------------------------------------------------------

// YAML with one flow mapping per value, so that a refresh shows as one changed line per changed value.
function flow(value) {
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${flow(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

// Write next to the target and rename, so a failed import leaves the old file as it was.
function writeAtomically(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

const today = () => new Date().toISOString().slice(0, 10);

function checkedDate(option) {
  const date = option ?? today();
  if (!DATE.test(date)) throw new ImportError('--checked', `expected a date YYYY-MM-DD, found '${date}'`);
  return date;
}

// --- import-almanac -------------------------------------------------------------------------------

export function importAlmanac(file, { root, gazetteer, checked, out }) {
  const date = checkedDate(checked);
  const records = parseAlmanac(readFileSync(file, 'utf8'), file);
  const known = new Set(gazetteer.map((m) => m.code));
  const current = new Map();
  const ended = [];
  const unknown = [];
  for (const record of records) {
    if (record.ended) {
      ended.push(record);
      continue;
    }
    if (!known.has(record.code)) {
      unknown.push(record);
      continue;
    }
    const other = current.get(record.code);
    if (other) throw new ImportError(`${file}:${record.line}`, `${record.code} appears twice (also at line ${other.line}); an export lists each current municipality once`);
    current.set(record.code, record);
  }
  const target = join(root, ALMANAC_FILE);
  const previous = existsSync(target) ? parseYaml(readFileSync(target, 'utf8'))?.municipalities ?? {} : {};
  const lines = [
    '# Contact data of every municipality from the government almanac (organisaties.overheid.nl).',
    '# Written by `scripts/gem content import-almanac FILE` (see content/README.md); do not edit by hand.',
    '# Each value names its source (the organisation\'s page in the almanac) and the date it was checked.',
    `export: ${flow({ file: basename(file), checked: date, municipalities: current.size })}`,
    'municipalities:',
  ];
  const missing = [];
  for (const { code, name } of gazetteer) {
    const record = current.get(code);
    let entry;
    if (record) entry = snapshotEntry(record, date);
    else {
      const gone = ended.find((r) => r.code === code);
      missing.push(`${code} ${name}${gone ? ` (ended on ${gone.ended}: merged or renamed, update content/gazetteer/gemeenten.tsv)` : ''}`
        + `${previous[code] ? ' (kept from the previous import)' : ''}`);
      entry = previous[code];
    }
    if (!entry) continue;
    lines.push(`  ${code}:`);
    for (const [key, value] of Object.entries(entry)) lines.push(`    ${key}: ${flow(value)}`);
  }
  writeAtomically(target, `${lines.join('\n')}\n`);
  out.write(`import-almanac: ${current.size} of ${gazetteer.length} municipalities from ${basename(file)} (checked ${date}) → ${ALMANAC_FILE}\n`);
  for (const m of missing) out.write(`  missing from the export: ${m}\n`);
  for (const r of unknown) out.write(`  not in content/gazetteer/gemeenten.tsv (new municipality? update the gazetteer): ${r.code} ${r.name} (${file}:${r.line})\n`);
  if (ended.length) out.write(`  ended organisations skipped (merged or renamed): ${ended.length}\n`);
  return { written: current.size, missing, unknown, ended };
}

// --- import-catalogue -----------------------------------------------------------------------------

export function importCatalogue(file, { root, gazetteer, municipality, checked, out }) {
  const date = checkedDate(checked);
  const catalogue = parseCatalogue(readFileSync(file, 'utf8'), file);
  const upl = parseYaml(readFileSync(join(root, UPL_FILE), 'utf8'));
  const almanac = existsSync(join(root, ALMANAC_FILE)) ? parseYaml(readFileSync(join(root, ALMANAC_FILE), 'utf8')).municipalities : {};
  // The municipality: given, or found through the catalogue's authority (an OWMS URI the almanac also has).
  const byAuthority = Object.entries(almanac).filter(([, e]) => catalogue.authorities.includes(valueOf(e.owms))).map(([code]) => code);
  const code = municipality?.toUpperCase() ?? (byAuthority.length === 1 ? byAuthority[0] : null);
  if (!code) {
    throw new ImportError(file, `which municipality is this catalogue of? Its authority (${catalogue.authorities.join(', ') || 'none given'}) is not in ${ALMANAC_FILE}; pass --municipality GMxxxx`);
  }
  if (!gazetteer.some((m) => m.code === code)) throw new ImportError('--municipality', `unknown municipality ${code}: expected a CBS code from content/gazetteer/gemeenten.tsv`);
  if (byAuthority.length === 1 && byAuthority[0] !== code) {
    throw new ImportError(file, `this catalogue is of ${byAuthority[0]} (its authority), not ${code}`);
  }
  const variables = {};
  const mappedUris = new Set();
  const skipped = [];
  for (const [variable, link] of Object.entries(upl.links)) {
    for (const uri of link.upl) mappedUris.add(uri);
    const entry = link.upl.map((uri) => catalogue.entries.find((e) => !e.absent && e.upl.some((u) => u.uri === uri))).find(Boolean);
    if (!entry) continue;
    if (!isHttps(entry.page)) {
      skipped.push(`${variable}: ${entry.at} has no https:// page ('${entry.page}')`);
      continue;
    }
    variables[variable] = { value: entry.page, source: entry.source ?? entry.page, checked: date, upl: entry.upl.find((u) => link.upl.includes(u.uri)).uri };
  }
  const unmapped = catalogue.entries.filter((e) => !e.upl.some((u) => mappedUris.has(u.uri)));
  const lines = [
    `# Product pages of ${gazetteer.find((m) => m.code === code).name} from its product catalogue, matched by uniform product name (UPL).`,
    '# Written by `scripts/gem content import-catalogue FILE` (see content/README.md); do not edit by hand.',
    `municipality: ${code}`,
    `catalogue: ${flow({ file: basename(file), format: catalogue.format, checked: date, entries: catalogue.entries.length })}`,
    'variables:',
    ...Object.entries(variables).map(([k, v]) => `  ${k}: ${flow(v)}`),
    '# Entries whose UPL has no Gem link (content/registers/upl.yml): for the editor to map or leave.',
    'unmapped:',
    ...unmapped.map((e) => `  - ${flow({ upl: e.upl.map((u) => u.uri).join(' ') || '(none)', label: e.upl.map((u) => u.label).join(' ') || e.title, page: e.page })}`),
  ];
  if (!Object.keys(variables).length) lines[lines.indexOf('variables:')] = 'variables: {}';
  if (!unmapped.length) lines[lines.indexOf('unmapped:')] = 'unmapped: []';
  const target = join(root, CATALOGUE_DIR, `${code}.yml`);
  writeAtomically(target, `${lines.join('\n')}\n`);
  out.write(`import-catalogue: ${code}: ${Object.keys(variables).length} links from ${catalogue.entries.length} ${catalogue.format} entries (checked ${date}) → ${CATALOGUE_DIR}/${code}.yml\n`);
  for (const s of skipped) out.write(`  skipped ${s}\n`);
  for (const e of unmapped) out.write(`  unmapped (no Gem link for this UPL): ${e.upl.map((u) => u.label || u.uri).join(', ') || '(no UPL)'}: ${e.title} ${e.page}\n`);
  return { code, variables, unmapped, skipped };
}
