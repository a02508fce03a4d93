// gem.js — the one-script-tag loader. A web team adds:
//   <script src="https://…/gem/gem.js" data-municipality="GM0599" defer></script>
// (optional: data-server, data-analytics="on", data-lang="nl|en", data-theme="default|rotterdam",
// data-position="bottom-right|bottom-left").
//
// It registers <gem-assistant>, renders only a launcher button in a Shadow DOM and makes no request at all
// until the resident shows interest: hovering or focusing the launcher starts the engine's worker (which fetches
// the wasm core, the content pack, the compact tier, then ONNX Runtime Web and the model) and fetches the panel
// (gem-panel.js) beside it; clicking opens the panel.
// Styles are constructable stylesheets (no inline styles, no unsafe-inline in the page's CSP); the only
// global it defines is the custom element.
import baseCss from './styles.css';
import themes from 'gem:themes';

import { assetUrl } from './assets.js';
import { setText } from './dom.js';
import { engineFor, forgetEngine } from './engine-start.js';

const SCRIPT = typeof document !== 'undefined' ? document.currentScript : null;
let defaultBase = SCRIPT?.src ? new URL('.', SCRIPT.src).href : '';

const TEXT = {
  nl: { open: 'Vraag het Gem', failed: 'Gem kon niet worden geladen. Probeer het later opnieuw.' },
  en: { open: 'Ask Gem', failed: 'Gem could not be loaded. Please try again later.' },
};
const CHAT_ICON = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9zm4 0v2h2V9zm4 0v2h2V9z';

// Where gem-panel.js and the other assets are (the ES module entry sets it from import.meta.url).
export function setBase(url) {
  defaultBase = new URL('.', url).href;
}

function langOf(el) {
  const lang = (el.getAttribute('lang') || el.ownerDocument.documentElement.lang || 'nl').toLowerCase();
  return lang.startsWith('en') ? 'en' : 'nl';
}

export class GemAssistant extends HTMLElement {
  static get observedAttributes() {
    return ['lang', 'theme'];
  }

  get config() {
    const value = (name) => this.getAttribute(name) || '';
    return {
      municipality: value('municipality').toUpperCase(),
      server: value('server'),
      analytics: value('analytics'),
      lang: langOf(this),
      theme: value('theme'),
      position: value('position'),
      base: value('base') ? new URL(value('base'), this.ownerDocument.baseURI).href : defaultBase,
    };
  }

  connectedCallback() {
    if (this.shadowRoot) return;
    const doc = this.ownerDocument;
    const root = this.attachShadow({ mode: 'open' });
    const base = new CSSStyleSheet();
    base.replaceSync(baseCss);
    this.themeSheet = new CSSStyleSheet();
    root.adoptedStyleSheets = [base, this.themeSheet];
    this.applyTheme();

    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', CHAT_ICON);
    svg.append(path);

    this.label = doc.createElement('span');
    this.button = doc.createElement('button');
    this.button.type = 'button';
    this.button.className = 'launcher';
    this.button.setAttribute('part', 'launcher');
    this.button.setAttribute('aria-expanded', 'false');
    this.button.append(svg, this.label);
    this.status = doc.createElement('p');
    this.status.className = 'launcher-status';
    this.status.setAttribute('role', 'status');
    root.append(this.status, this.button);
    this.relabel();

    this.button.addEventListener('click', () => this.toggle());
    // Interest, not yet a decision: start fetching so that opening feels instant.
    for (const type of ['pointerenter', 'focus']) this.button.addEventListener(type, () => this.prefetch());
    this.button.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.panel?.isOpen) this.panel.close();
    });
  }

  attributeChangedCallback(name) {
    if (!this.shadowRoot) return;
    if (name === 'theme') this.applyTheme();
    if (name === 'lang') {
      this.relabel();
      this.panel?.setLang(langOf(this));
    }
  }

  relabel() {
    setText(this.label, TEXT[langOf(this)].open);
  }

  applyTheme() {
    this.themeSheet.replaceSync(themes[this.getAttribute('theme')] ?? '');
  }

  loadPanel() {
    if (!this.panelModule) {
      this.panelModule = import(assetUrl(this.config.base, 'gem-panel.js'));
      this.panelModule.catch(() => {
        this.panelModule = null;
      });
    }
    return this.panelModule;
  }

  // The engine first (it needs the most time), then the panel, then the page's sessionStorage, each in a task of its
  // own: at 4× slower CPU each takes some 3–20 ms of the page's main thread, together one long task.
  prefetch() {
    engineFor(this.config);
    const view = this.ownerDocument.defaultView;
    view.setTimeout(() => this.loadPanel().catch(() => {}), 0);
    // The browser loads a page's sessionStorage on its first use, a blocking call: reading it now (nothing is
    // written) keeps that wait out of the click that opens the panel, where the conversation is restored.
    view.setTimeout(() => {
      try {
        void view.sessionStorage.length;
      } catch {
        // blocked storage: the panel works without it
      }
    }, 0);
  }

  async toggle() {
    if (this.panel?.isOpen) {
      this.panel.close();
      return;
    }
    if (this.opening) return;
    this.opening = true;
    this.button.setAttribute('aria-busy', 'true');
    try {
      engineFor(this.config);
      const module = await this.loadPanel();
      this.panel ??= module.createPanel({ host: this, root: this.shadowRoot, launcher: this.button, config: this.config,
        engines: { start: () => engineFor(this.config), forget: (engine) => forgetEngine(this.config, engine) } });
      this.status.textContent = '';
      this.panel.open();
    } catch {
      this.status.textContent = TEXT[langOf(this)].failed;
    } finally {
      this.opening = false;
      this.button.removeAttribute('aria-busy');
    }
  }
}

export function defineGemAssistant() {
  if (!customElements.get('gem-assistant')) customElements.define('gem-assistant', GemAssistant);
}

// <script src=".../gem.js" data-municipality="GM0599">: add one <gem-assistant> to the page.
function mountFromScript(script) {
  const data = script.dataset;
  if (!data.municipality) return;
  const doc = script.ownerDocument;
  const mount = () => {
    if (doc.querySelector('gem-assistant')) return;
    const el = doc.createElement('gem-assistant');
    for (const name of ['municipality', 'server', 'analytics', 'theme', 'position']) if (data[name]) el.setAttribute(name, data[name]);
    if (data.lang) el.setAttribute('lang', data.lang);
    doc.body.append(el);
  };
  if (doc.body) mount();
  else doc.addEventListener('DOMContentLoaded', mount, { once: true });
}

if (typeof customElements !== 'undefined') {
  defineGemAssistant();
  if (SCRIPT) mountFromScript(SCRIPT);
}
