// The demo page's theme switch: the page's own look and the widget's theme (?theme=rotterdam keeps it).
const THEMES = ['default', 'rotterdam'];

function apply(theme) {
  document.documentElement.dataset.theme = theme;
  const tag = document.querySelector('script[data-municipality]');
  if (tag) tag.dataset.theme = theme;  // before gem.js runs (both are deferred, this one first)
  document.querySelector('gem-assistant')?.setAttribute('theme', theme);
  for (const input of document.querySelectorAll('input[name="theme"]')) input.checked = input.value === theme;
}

const requested = new URLSearchParams(location.search).get('theme');
apply(THEMES.includes(requested) ? requested : 'default');

for (const input of document.querySelectorAll('input[name="theme"]')) {
  input.addEventListener('change', () => {
    apply(input.value);
    const url = new URL(location.href);
    url.searchParams.set('theme', input.value);
    history.replaceState(null, '', url);
  });
}
