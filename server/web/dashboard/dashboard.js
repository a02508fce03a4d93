// The staff dashboard: signs in through /v1/agent/login, then shows /v1/dashboard/{gm} as figures,
// SVG bar charts and, for each chart, the same numbers as a table. Editors and admins also get the
// inbox of shared samples (/v1/staff/samples): label, mark or delete each, and see where residents
// failed most. Text goes in with textContent only; focus moves only when the user acts.
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
    inbox_title: 'Gedeelde vragen',
    inbox_intro: 'Vragen die inwoners met u deelden toen Gem ze niet begreep of na een duim omlaag. Persoonsgegevens zijn vervangen door een code zoals [BSN]. Nieuwste eerst, gegroepeerd naar wat Gem dacht.',
    inbox_empty: 'Er zijn geen gedeelde vragen.', inbox_loaded: '{n} gedeelde vragen geladen.',
    inbox_failed: 'De gedeelde vragen konden niet worden geladen.', guessed: 'Gem dacht: {topic}',
    guessed_nothing: 'Gem begreep het niet', reason_not_understood: 'niet begrepen', reason_thumbs_down: 'duim omlaag',
    lang_nl: 'Nederlands', lang_en: 'Engels', label_none: 'nog geen label', label_taxonomy: 'label: {topic}',
    label_new_topic: 'label: nieuw onderwerp', label_out_of_scope: 'label: buiten bereik', label_legend: 'Label voor deze vraag',
    intent: 'Bedoeling', aspect: 'Aspect', no_choice: '(geen)', save_label: 'Label opslaan', new_topic: 'Nieuw onderwerp',
    out_of_scope: 'Buiten bereik', delete: 'Verwijderen', saved: 'Label opgeslagen: {topic}.', marked: 'Gemarkeerd: {what}.',
    deleted: 'Vraag verwijderd.', action_failed: 'Dat is niet gelukt. Probeer het opnieuw.',
    failures_title: 'Waar inwoners vastliepen', failures_counts: 'Niet begrepen: {missed} keer. Duim omlaag: {down} keer. Gedeeld: {shared} vragen, waarvan {waiting} nog zonder label.',
    chart_failed_products: 'Onderwerpen waar inwoners het vaakst vastliepen', chart_failed_aspects: 'Aspecten waar inwoners het vaakst vastliepen',
    aspect_column: 'Aspect',
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
    inbox_title: 'Shared questions',
    inbox_intro: 'Questions residents shared with you when Gem did not understand them or after a thumbs-down. Personal data is replaced by a code such as [BSN]. Newest first, grouped by what Gem guessed.',
    inbox_empty: 'There are no shared questions.', inbox_loaded: '{n} shared questions loaded.',
    inbox_failed: 'The shared questions could not be loaded.', guessed: 'Gem guessed: {topic}',
    guessed_nothing: 'Gem did not understand', reason_not_understood: 'not understood', reason_thumbs_down: 'thumbs down',
    lang_nl: 'Dutch', lang_en: 'English', label_none: 'no label yet', label_taxonomy: 'label: {topic}',
    label_new_topic: 'label: new topic', label_out_of_scope: 'label: out of scope', label_legend: 'Label for this question',
    intent: 'Intent', aspect: 'Aspect', no_choice: '(none)', save_label: 'Save label', new_topic: 'New topic',
    out_of_scope: 'Out of scope', delete: 'Delete', saved: 'Label saved: {topic}.', marked: 'Marked: {what}.',
    deleted: 'Question deleted.', action_failed: 'That did not work. Please try again.',
    failures_title: 'Where residents got stuck', failures_counts: 'Not understood: {missed} times. Thumbs down: {down} times. Shared: {shared} questions, {waiting} of them without a label.',
    chart_failed_products: 'Topics residents got stuck on most', chart_failed_aspects: 'Aspects residents got stuck on most',
    aspect_column: 'Aspect',
  },
};
let lang = 'nl';
let last = null;
let session = null;
let inbox = null;  // the last /v1/staff/samples answer, for re-rendering in the other language
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
  if (inbox) renderInbox(inbox);
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
  if (rows.length === 0) {
    section.append(el('p', {}, t('none')));
    return section;
  }
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
  if (inbox) renderFailures(inbox);
}

// ---- the editors' inbox ------------------------------------------------------------------------

const mayEdit = () => session && (session.role === 'editor' || session.role === 'admin');
const human = (label) => label.replace(/_/g, ' ');
const topicText = (topic) => [topic.intent, topic.product, topic.aspect].filter(Boolean).map(human).join(' · ');

function labelText(label) {
  if (!label) return t('label_none');
  if (label.kind === 'taxonomy') return t('label_taxonomy', { topic: topicText(label) });
  return t(`label_${label.kind}`);
}

function metaText(sample) {
  return [sample.date, t(`lang_${sample.lang}`), t(`reason_${sample.reason}`), labelText(sample.label)].join(' · ');
}

// Staff requests that change something carry the session's CSRF token.
function change(method, path, body) {
  return fetch(path, { method, credentials: 'same-origin', headers: { 'X-CSRF-Token': session.csrf,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
}

function choice(id, labelKey, values, selected, optional) {
  const wrap = el('div');
  wrap.append(el('label', { for: id }, t(labelKey)));
  const select = el('select', { id });
  if (optional) select.append(el('option', { value: '' }, t('no_choice')));
  for (const v of values) {
    const option = el('option', { value: v }, human(v));
    if (v === selected) option.selected = true;
    select.append(option);
  }
  wrap.append(select);
  return wrap;
}

function announce(text) {
  $('inbox-status').textContent = text;
}

function sampleItem(sample, taxonomy) {
  const item = el('li', { class: 'sample', id: `sample-${sample.id}`, tabindex: '-1', 'aria-labelledby': `text-${sample.id}` });
  item.append(el('blockquote', { id: `text-${sample.id}`, lang: sample.lang }, sample.text));
  const meta = el('p', { class: 'meta', id: `meta-${sample.id}` }, metaText(sample));
  item.append(meta);
  const form = el('form', { novalidate: '' });
  const fieldset = el('fieldset');
  fieldset.append(el('legend', {}, t('label_legend')));
  // Preselected: the editor's label, else what Gem guessed.
  const start = sample.label?.kind === 'taxonomy' ? sample.label : sample.understood;
  fieldset.append(
    choice(`intent-${sample.id}`, 'intent', taxonomy.intents, start.intent ?? 'product_vraag', false),
    choice(`product-${sample.id}`, 'product', taxonomy.products, start.product, true),
    choice(`aspect-${sample.id}`, 'aspect', taxonomy.aspects, start.aspect, true),
  );
  const describedBy = { 'aria-describedby': `text-${sample.id}` };
  fieldset.append(el('button', { type: 'submit', ...describedBy }, t('save_label')));
  form.append(fieldset);
  const done = (updated, message) => {
    Object.assign(sample, updated);
    meta.textContent = metaText(sample);
    announce(message);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (head) => $(`${head}-${sample.id}`).value || null;
    const res = await change('POST', `/v1/staff/samples/${sample.id}/label`, { intent: value('intent'), product: value('product'), aspect: value('aspect') });
    if (!res.ok) return announce(t('action_failed'));
    const updated = await res.json();
    return done(updated, t('saved', { topic: topicText(updated.label) }));
  });
  item.append(form);
  const actions = el('div', { class: 'actions' });
  for (const kind of ['new_topic', 'out_of_scope']) {
    const button = el('button', { type: 'button', class: 'secondary', ...describedBy }, t(kind));
    button.addEventListener('click', async () => {
      const res = await change('POST', `/v1/staff/samples/${sample.id}/label`, { kind });
      if (!res.ok) return announce(t('action_failed'));
      return done(await res.json(), t('marked', { what: t(kind).toLowerCase() }));
    });
    actions.append(button);
  }
  const remove = el('button', { type: 'button', class: 'delete', ...describedBy }, t('delete'));
  remove.addEventListener('click', async () => {
    const res = await change('DELETE', `/v1/staff/samples/${sample.id}`);
    if (!res.ok) return announce(t('action_failed'));
    // The user removed the item that had focus: focus goes to the next question (or the heading).
    const next = item.nextElementSibling ?? item.previousElementSibling;
    const group = item.closest('.group');
    inbox.samples = inbox.samples.filter((s) => s.id !== sample.id);
    item.remove();
    if (!next) group.remove();
    (next ?? $('inbox-title')).focus();
    return announce(t('deleted'));
  });
  actions.append(remove);
  item.append(actions);
  return item;
}

function renderFailures(data) {
  const box = $('failures');
  const totals = last?.totals;
  const section = el('section', { 'aria-labelledby': 'failures-title' });
  section.append(el('h3', { id: 'failures-title' }, t('failures_title')));
  const f = data.failures;
  section.append(el('p', {}, t('failures_counts', { missed: totals?.not_understood ?? 0, down: totals?.thumbs_down ?? 0,
    shared: f.samples, waiting: f.unlabelled })));
  section.append(
    barChart(t('chart_failed_products'), f.products.map((p) => ({ label: human(p.product), value: p.count })), [t('product'), t('count')]),
    barChart(t('chart_failed_aspects'), f.aspects.map((a) => ({ label: human(a.aspect), value: a.count })), [t('aspect_column'), t('count')]),
  );
  box.replaceChildren(section);
}

function renderInbox(data) {
  inbox = data;
  renderFailures(data);
  const groups = new Map();  // in order of each group's newest question
  for (const sample of data.samples) {
    const u = sample.understood;
    const key = u.product ?? u.intent ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(sample);
  }
  const box = $('samples');
  box.replaceChildren();
  if (groups.size === 0) box.append(el('p', {}, t('inbox_empty')));
  let n = 0;
  for (const [key, samples] of groups) {
    const section = el('section', { class: 'group', 'aria-labelledby': `group-${n}` });
    section.append(el('h3', { id: `group-${n}` }, key ? t('guessed', { topic: human(key) }) : t('guessed_nothing')));
    const list = el('ol', { class: 'samples' });
    for (const sample of samples) list.append(sampleItem(sample, data.taxonomy));
    section.append(list);
    box.append(section);
    n += 1;
  }
}

async function loadInbox() {
  if (!mayEdit()) return;
  $('inbox').hidden = false;
  const gm = encodeURIComponent($('municipality').value);
  const res = await fetch(`/v1/staff/samples?municipality=${gm}`, { credentials: 'same-origin' });
  if (!res.ok) {
    announce(t('inbox_failed'));
    return;
  }
  const data = await res.json();
  renderInbox(data);
  announce(t('inbox_loaded', { n: data.samples.length }));
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
  render(await res.json());
  return loadInbox();
}

// The server counts by the day in Amsterdam, so the default range does too, whatever the zone of this
// browser's clock (the UTC date is yesterday's between midnight and one o'clock in winter).
function amsterdamToday() {
  const parts = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function showReport(signedIn) {
  session = signedIn;
  $('signin').hidden = true;
  $('report').hidden = false;
  const select = $('municipality');
  select.replaceChildren(...session.municipalities.map((gm) => el('option', { value: gm }, gm)));
  const today = amsterdamToday();
  $('to').value = today;
  $('from').value = new Date(Date.parse(today) - 27 * 86400000).toISOString().slice(0, 10);
  $('report-title').focus?.();
  return load();
}

function showSignin() {
  $('report').hidden = true;
  $('inbox').hidden = true;
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
