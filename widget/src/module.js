// gem.mjs — the ES module form of the loader, for sites that bundle or import it:
//   import { mount } from 'https://…/gem/gem.mjs';
//   mount({ municipality: 'GM0599', theme: 'rotterdam' });
// or just `import 'https://…/gem/gem.mjs'` and write <gem-assistant municipality="GM0599"></gem-assistant>.
import { GemAssistant, defineGemAssistant, setBase } from './loader.js';

setBase(import.meta.url);
defineGemAssistant();

export { GemAssistant };

// Adds a <gem-assistant> to `parent` (default: the body) and returns it.
export function mount({ municipality, server, analytics, lang, theme, position, base } = {}, parent = document.body) {
  const el = document.createElement('gem-assistant');
  const attributes = { municipality, server, analytics, lang, theme, position, base };
  for (const [name, value] of Object.entries(attributes)) if (value) el.setAttribute(name, value);
  parent.append(el);
  return el;
}
