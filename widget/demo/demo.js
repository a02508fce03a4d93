// The demo page's switches: the widget's municipality (?municipality=GM0193; a form, so choosing does not
// reload the page before the reviewer presses the button) and the page's and widget's look
// (?theme=rotterdam keeps it). With gem.js from gem-server, the widget uses that server for live data, handover
// and analytics; ?server=off shows the widget without a server (as on a site that sets no data-server).
const THEMES = ['default', 'rotterdam'];
const params = new URLSearchParams(location.search);
const tag = document.querySelector('script[data-municipality]');

// Before gem.js reads its tag (both are deferred, this one first). Only a listed municipality is taken.
const picker = document.getElementById('demo-municipality');
const chosen = [...(picker?.options ?? [])].find((o) => o.value === params.get('municipality'));
if (tag && chosen && chosen.value !== tag.dataset.municipality) {
  tag.dataset.municipality = chosen.value;
  picker.value = chosen.value;
  const name = chosen.textContent;
  document.querySelector('.brand span').textContent = name;
  document.title = document.title.replace('Rotterdam', name);
  document.getElementById('demo-phone').textContent = `Bel de gemeente ${name}, of stel uw vraag aan Gem.`;
}
if (tag && params.get('server') !== 'off') {
  // The server is where gem.js comes from: this page's own origin, or Gem's when the page embeds it from there.
  tag.dataset.server = new URL(tag.src, location.href).origin;
  tag.dataset.analytics = 'on';
} else if (params.get('server') === 'off') {
  // Choosing another municipality keeps the page without a server.
  document.querySelector('.municipality-switch')?.insertAdjacentHTML('beforeend', '<input type="hidden" name="server" value="off">');
}

function apply(theme) {
  document.documentElement.dataset.theme = theme;
  if (tag) tag.dataset.theme = theme;  // before gem.js runs (both are deferred, this one first)
  const kept = document.querySelector('.municipality-switch input[name="theme"]');
  if (kept) kept.value = theme;
  document.querySelector('gem-assistant')?.setAttribute('theme', theme);
  for (const input of document.querySelectorAll('input[name="theme"]')) input.checked = input.value === theme;
}

const requested = params.get('theme');
apply(THEMES.includes(requested) ? requested : 'default');

for (const input of document.querySelectorAll('input[name="theme"]')) {
  input.addEventListener('change', () => {
    apply(input.value);
    const url = new URL(location.href);
    url.searchParams.set('theme', input.value);
    history.replaceState(null, '', url);
  });
}
