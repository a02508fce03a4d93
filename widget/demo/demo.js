// The demo page's theme switch: the page's own look and the widget's theme (?theme=rotterdam keeps it).
// Served by gem-server, the widget uses that server for live data, handover and analytics;
// ?server=off shows the widget without a server (as on a site that sets no data-server).
const THEMES = ['default', 'rotterdam'];
const params = new URLSearchParams(location.search);
const tag = document.querySelector('script[data-municipality]');
if (tag && params.get('server') !== 'off') {
  tag.dataset.server = location.origin;
  tag.dataset.analytics = 'on';
}

function apply(theme) {
  document.documentElement.dataset.theme = theme;
  if (tag) tag.dataset.theme = theme;  // before gem.js runs (both are deferred, this one first)
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
