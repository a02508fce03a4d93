// The staff dashboard: signs in through /v1/agent/login, then shows /v1/dashboard/{gm} as figures,
// SVG bar charts and, for each chart, the same numbers as a table. Text goes in with textContent only.
const TEXT = {
  nl: {
    skip: 'Naar de inhoud', title: 'Gem – cijfers van de assistent', signin_title: 'Aanmelden', username: 'Gebruikersnaam',
    password: 'Wachtwoord', signin: 'Aanmelden', report_title: 'Overzicht', municipality: 'Gemeente', from: 'Van',
    to: 'Tot en met', show: 'Toon', language: 'English', loading: 'De cijfers worden geladen…',
    loaded: 'Cijfers van {from} tot en met {to}.', failed: 'De cijfers konden niet worden geladen.',
    signin_failed: 'De gebruikersnaam of het wachtwoord klopt niet.', required: 'Vul uw gebruikersnaam en wachtwoord in.',
    conversations: 'Gesprekken', containment: 'Zonder medewerker opgelost', first_time_right: 'Meteen begrepen',
    clarification_rate: 'Begrepen na een vraag terug', handover_rate: 'Doorverbonden met een medewerker', nps: 'NPS',
    none: 'geen gegevens', chart_daily: 'Gesprekken per dag', chart_products: 'Meest gevraagde onderwerpen',
    table: 'Toon als tabel', date: 'Datum', product: 'Onderwerp', count: 'Aantal', handovers: 'Doorverbonden',
  },
  en: {
    skip: 'Skip to content', title: 'Gem – assistant figures', signin_title: 'Sign in', username: 'User name',
    password: 'Password', signin: 'Sign in', report_title: 'Overview', municipality: 'Municipality', from: 'From',
    to: 'To (inclusive)', show: 'Show', language: 'Nederlands', loading: 'Loading the figures…',
    loaded: 'Figures from {from} to {to}.', failed: 'The figures could not be loaded.',
    signin_failed: 'The user name or password is not right.', required: 'Fill in your user name and password.',
    conversations: 'Conversations', containment: 'Solved without a member of staff', first_time_right: 'Understood first time',
    clarification_rate: 'Understood after a question back', handover_rate: 'Handed over to a member of staff', nps: 'NPS',
    none: 'no data', chart_daily: 'Conversations per day', chart_products: 'Most asked topics',
    table: 'Show as a table', date: 'Date', product: 'Topic', count: 'Count', handovers: 'Handed over',
  },
};
let lang = 'nl';
let last = null;
const $ = (id) => document.getElementById(id);
const t = (key, vars = {}) => TEXT[lang][key].replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, text) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-text]')) node.textContent = t(node.dataset.text);
  const other = lang === 'nl' ? 'en' : 'nl';
  $('language').textContent = t('language');
  $('language').lang = other;
  if (last) render(last);
}

function percent(value) {
  return value === null ? t('none') : `${Math.round(value * 100)}%`;
}

// A horizontal bar chart (label, value) with the same data as a table beneath it.
function barChart(title, rows, columns) {
  const section = el('section', { class: 'chart' });
  const heading = el('h3', {}, title);
  heading.id = `chart-${Math.random().toString(36).slice(2)}`;
  section.append(heading);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowHeight = 22;
  const height = rows.length * rowHeight + 10;
  const svg = el('svg:svg', { viewBox: `0 0 600 ${height}`, role: 'img', 'aria-labelledby': heading.id });
  rows.forEach((r, i) => {
    const y = i * rowHeight + 5;
    svg.append(el('svg:text', { x: 0, y: y + 14 }, r.label));
    svg.append(el('svg:rect', { x: 160, y, width: Math.max(1, (r.value / max) * 380), height: rowHeight - 6, class: 'bar-a' }));
    svg.append(el('svg:text', { x: 165 + (r.value / max) * 380, y: y + 14 }, String(r.value)));
  });
  section.append(svg);
  const details = el('details');
  details.append(el('summary', {}, t('table')));
  const table = el('table');
  table.append(el('caption', {}, title));
  const head = el('tr');
  for (const c of columns) head.append(el('th', { scope: 'col' }, c));
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    tr.append(el('th', { scope: 'row' }, r.label));
    for (const v of r.values ?? [r.value]) tr.append(el('td', {}, String(v)));
    body.append(tr);
  }
  table.append(body);
  details.append(table);
  section.append(details);
  return section;
}

function render(data) {
  last = data;
  const figures = $('figures');
  figures.replaceChildren();
  const f = data.figures;
  const items = [['conversations', String(data.totals.conversations)], ['containment', percent(f.containment)],
    ['first_time_right', percent(f.first_time_right)], ['clarification_rate', percent(f.clarification_rate)],
    ['handover_rate', percent(f.handover_rate)], ['nps', f.nps === null ? t('none') : String(Math.round(f.nps))]];
  for (const [key, value] of items) {
    const dl = el('dl', { class: 'figure' });
    dl.append(el('dt', {}, t(key)), el('dd', {}, value));
    figures.append(dl);
  }
  const charts = $('charts');
  charts.replaceChildren(
    barChart(t('chart_daily'), data.daily.map((d) => ({ label: d.date, value: d.conversation_started,
      values: [d.conversation_started, d.handover_requested] })), [t('date'), t('conversations'), t('handovers')]),
    barChart(t('chart_products'), data.top_products.map((p) => ({ label: p.product.replace(/_/g, ' '), value: p.count })),
      [t('product'), t('count')]),
  );
  $('status').textContent = t('loaded', { from: data.from, to: data.to });
}

async function load() {
  $('status').textContent = t('loading');
  const params = new URLSearchParams({ from: $('from').value, to: $('to').value });
  const res = await fetch(`/v1/dashboard/${encodeURIComponent($('municipality').value)}?${params}`, { credentials: 'same-origin' });
  if (res.status === 401) return showSignin();
  if (!res.ok) {
    $('status').textContent = t('failed');
    return undefined;
  }
  return render(await res.json());
}

function showReport(session) {
  $('signin').hidden = true;
  $('report').hidden = false;
  const select = $('municipality');
  select.replaceChildren(...session.municipalities.map((gm) => el('option', { value: gm }, gm)));
  const today = new Date();
  const from = new Date(today.getTime() - 27 * 86400000);
  $('to').value = today.toISOString().slice(0, 10);
  $('from').value = from.toISOString().slice(0, 10);
  $('report-title').focus?.();
  return load();
}

function showSignin() {
  $('report').hidden = true;
  $('signin').hidden = false;
}

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    $('signin-error').textContent = t('required');
    return;
  }
  const res = await fetch('/v1/agent/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }) });
  if (!res.ok) {
    $('signin-error').textContent = t('signin_failed');
    $('password').value = '';
    $('password').focus();
    return;
  }
  $('signin-error').textContent = '';
  await showReport(await res.json());
});
$('filter').addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
$('language').addEventListener('click', () => {
  lang = lang === 'nl' ? 'en' : 'nl';
  applyLanguage();
});

fetch('/v1/agent/session', { credentials: 'same-origin' }).then(async (res) => {
  if (res.ok) return showReport(await res.json());
  return showSignin();
}).catch(showSignin);
