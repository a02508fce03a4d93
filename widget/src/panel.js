// The chat panel (gem-panel.js), loaded by the loader when the resident shows interest. It only wires the
// parts together: the conversation controller (conversation.js), its effects (live.js, handover.js,
// privacy.js, analytics.js, samples.js, engine.js) and the view (shell.js, messages.js, choices.js, feedback.js).
//
// Accessibility model (see docs/accessibility.md): a non-modal dialog; the log is not itself live, each new
// message is announced once by a short-lived live region; loading, waiting and thinking are in a role="status"
// line; quick replies are buttons in a group labelled with the dialogue's question; focus moves only on the
// resident's action.
import panelCss from './panel.css';
import { Analytics } from './analytics.js';
import { Choices } from './choices.js';
import { Conversation } from './conversation.js';
import { engineLink } from './engine.js';
import { validMunicipality } from './engine-start.js';
import { availability, Handover } from './handover.js';
import { LiveLookUp } from './live.js';
import { Transcript } from './messages.js';
import { Privacy } from './privacy.js';
import { Samples } from './samples.js';
import { Shell } from './shell.js';

// Only an absolute http(s) URL is a server.
function serverUrl(value) {
  if (!value) return '';  // none configured (most sites): no URL to parse
  try {
    const url = new URL(value);
    return ['https:', 'http:'].includes(url.protocol) ? url.href : '';
  } catch {
    return '';
  }
}

// sessionStorage, which may be full or blocked: the conversation still works, it just will not survive navigation.
function sessionStore(win) {
  return {
    get: (key) => {
      try {
        return win.sessionStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        win.sessionStorage.setItem(key, value);
      } catch {
        // not kept
      }
    },
    remove: (key) => {
      try {
        win.sessionStorage.removeItem(key);
      } catch {
        // nothing stored
      }
    },
  };
}

export function createPanel(context) {
  return new Panel(context);
}

class Panel {
  constructor({ host, root, launcher, config, engines }) {
    this.host = host;
    this.launcher = launcher;
    const doc = host.ownerDocument;
    const win = doc.defaultView;
    const municipality = validMunicipality(config.municipality);
    const server = municipality ? serverUrl(config.server) : '';
    const fetchImpl = win.fetch.bind(win);
    const engine = engineLink(engines);
    const view = { doc, win, t: (key, params) => this.conversation.t(key, params), conversation: null };

    this.transcript = new Transcript(view, { retry: (message) => this.conversation.retry(message) });
    this.choices = new Choices(view, { press: (reply) => {
      this.shell.input.focus();  // the pressed button is about to go
      this.conversation.press(reply);
    } });
    this.shell = new Shell(view, { transcript: this.transcript, choices: this.choices }, {
      close: () => this.close(),
      restart: () => {
        this.shell.input.focus();
        this.conversation.restart();
      },
      switchLanguage: () => this.conversation.switchLanguage(),
      leaveHandover: () => this.conversation.leaveHandover(),
      submit: (text) => this.conversation.submit(text),
      typing: () => this.conversation.typing(),
    });
    this.conversation = new Conversation({
      engine, storage: sessionStore(win), storageKey: `gem:conversation:${config.municipality || 'generic'}`, municipality,
      lang: config.lang, ui: this.viewCallbacks(),
      effects: {
        live: new LiveLookUp({ server, municipality, fetchImpl, online: () => win.navigator.onLine !== false }),
        availability: () => availability({ server, municipality, fetchImpl }),
        handover: server ? (ui) => new Handover({ server, win, ui }) : null,
        privacy: new Privacy((text) => engine.redact(text)),
        analytics: server && config.analytics === 'on' ? new Analytics({ server, municipality, win }) : null,
        // Without a server nothing is offered: a shared question has nowhere to go.
        samples: new Samples({ server, municipality, fetchImpl, redact: (text) => engine.redact(text) }),
      },
    });
    view.conversation = this.conversation;

    const sheet = new CSSStyleSheet();
    sheet.replaceSync(panelCss);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    root.append(this.shell.panel, this.shell.announcer);
    this.relabel();
    win.addEventListener('offline', () => this.conversation.offline());
    win.addEventListener('online', () => this.conversation.online());
    win.addEventListener('pagehide', () => this.conversation.flush());
  }

  // What the controller tells the view.
  viewCallbacks() {
    return {
      show: (message, options) => this.transcript.show(message, options),
      update: (message) => this.transcript.update(message),
      clear: () => this.transcript.clear(),
      choices: (choices) => this.choices.show(choices),
      status: (text, busy) => this.shell.setStatus(text, busy),
      announce: (text, lang) => this.shell.announce(text, lang),
      relabel: () => this.relabel(),
      loadFailed: () => this.shell.loadFailed(() => this.conversation.open()),
    };
  }

  relabel() {
    const { lang, handover } = this.conversation;
    this.shell.relabel(lang, handover.state, this.conversation.subtitle());
    this.choices.relabel();
    if (this.host.getAttribute('lang') !== lang) {
      this.syncing = true;
      this.host.setAttribute('lang', lang);
      this.syncing = false;
    }
  }

  get isOpen() {
    return this.shell.isOpen;
  }

  open() {
    this.shell.show(true);
    this.host.toggleAttribute('data-open', true);
    this.launcher.setAttribute('aria-controls', 'gem-panel');
    this.launcher.setAttribute('aria-expanded', 'true');
    this.conversation.open();
  }

  close() {
    this.conversation.close();
    this.transcript.stopSpeaking();
    this.shell.show(false);
    this.host.removeAttribute('data-open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  // From the loader, when the page changes the element's lang attribute.
  setLang(lang) {
    if (this.syncing || !['nl', 'en'].includes(lang)) return;
    this.conversation.setLang(lang);
  }
}
