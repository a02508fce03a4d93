// The panel shell: a non-modal dialog labelled by its title, with header (title, municipality, close), toolbar
// (new conversation, language, leave the handover), the transcript and quick replies (messages.js,
// choices.js), a role="status" line for loading, waiting and thinking, the composer, and the short-lived
// live region that announces each new message once (outside the panel, so closing never cuts one off).
// Focus moves only on the resident's action: into the textarea on opening, back to the launcher on closing.
import { h, icon, setAttr, setText } from './dom.js';

const ANNOUNCEMENT_MS = 10000;

export class Shell {
  // actions: close, restart, switchLanguage, leaveHandover, submit(text), typing().
  constructor({ doc, win, t }, { transcript, choices }, actions) {
    Object.assign(this, { doc, win, t, actions });
    this.transcript = transcript;
    this.title = h(doc, 'h2', { class: 'title', id: 'gem-title' });
    this.subtitle = h(doc, 'p', { class: 'subtitle' });
    this.closeButton = h(doc, 'button', { type: 'button', class: 'icon-button close', onclick: () => actions.close() }, icon(doc, 'close'));
    this.newButton = h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => actions.restart() }, icon(doc, 'restart'), h(doc, 'span'));
    this.langButton = h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => actions.switchLanguage() });
    this.handoverButton = h(doc, 'button', { type: 'button', class: 'text-button', hidden: true, onclick: () => actions.leaveHandover() });
    this.status = h(doc, 'p', { class: 'status', role: 'status' });
    this.inputLabel = h(doc, 'label', { class: 'composer__label', for: 'gem-input' });
    this.input = h(doc, 'textarea', { id: 'gem-input', rows: '1', maxlength: '1000', autocomplete: 'off',
      'aria-describedby': 'gem-hint', enterkeyhint: 'send' });
    this.sendButton = h(doc, 'button', { type: 'submit', class: 'send' }, icon(doc, 'send'), h(doc, 'span'));
    this.hint = h(doc, 'p', { id: 'gem-hint', class: 'sr-only' });
    this.privacy = h(doc, 'p', { class: 'privacy' });
    this.form = h(doc, 'form', { class: 'composer', novalidate: true },
      this.inputLabel, h(doc, 'div', { class: 'composer__row' }, this.input, this.sendButton), this.hint, this.privacy);
    this.panel = h(doc, 'section', { class: 'panel', id: 'gem-panel', role: 'dialog', 'aria-labelledby': 'gem-title',
      'aria-modal': 'false', hidden: true, part: 'panel' },
    h(doc, 'div', { class: 'header' }, h(doc, 'div', { class: 'header__titles' }, this.title, this.subtitle), this.closeButton),
    h(doc, 'div', { class: 'toolbar' }, this.newButton, this.langButton, this.handoverButton),
    transcript.el, choices.el, this.status, this.form);
    this.announcer = h(doc, 'div', { class: 'sr-only announcer', 'aria-live': 'polite', 'aria-atomic': 'false' });

    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('input', () => actions.typing());
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        actions.close();
      }
    });
  }

  submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    this.actions.submit(text);
  }

  // All of the shell's texts, for the current language; `handover` is the handover's state ('' when none).
  relabel(lang, handover, subtitle) {
    const { t } = this;
    setAttr(this.panel, 'lang', lang);
    setText(this.title, t('title'));
    setText(this.subtitle, subtitle);
    setAttr(this.closeButton, 'aria-label', t('close'));
    setText(this.newButton.lastChild, t('new_conversation'));
    setText(this.langButton, t('other_language'));
    setAttr(this.langButton, 'lang', lang === 'en' ? 'nl' : 'en');
    setAttr(this.transcript.el, 'aria-label', t('transcript'));
    setText(this.inputLabel, t('input_label'));
    setText(this.sendButton.lastChild, t('send'));
    setText(this.hint, t('input_hint'));
    setText(this.privacy, t('privacy'));
    if (this.handoverButton.hidden !== !handover) this.handoverButton.hidden = !handover;
    setText(this.handoverButton, handover ? t(handover === 'agent' ? 'end_chat' : 'cancel_queue') : '');
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  // Focus goes into the input in the frame that first draws the panel: focusing at once would make the browser
  // compute the new panel's style and layout inside the click's task, one long task instead of two short ones.
  show(visible) {
    this.panel.hidden = !visible;
    if (visible) {
      this.win.requestAnimationFrame(() => {
        if (this.isOpen) this.input.focus();
      });
    }
  }

  setStatus(text, busy = false) {
    this.transcript.keepBottom(() => {
      this.status.textContent = text;
      this.status.classList.toggle('status--busy', Boolean(text) && busy);
    });
  }

  // Written in a task after the frame that shows the message: an announcement repeats the message's text, and
  // laying both out in one frame makes that frame the longest task of an answer on a phone.
  announce(text, lang) {
    const item = h(this.doc, 'p', { lang }, text);
    this.win.requestAnimationFrame(() => this.win.setTimeout(() => {
      this.announcer.append(item);
      this.win.setTimeout(() => item.remove(), ANNOUNCEMENT_MS);
    }, 0));
  }

  // The core could not be loaded: a button to try again, after the status line that says so.
  loadFailed(retry) {
    const button = h(this.doc, 'button', { type: 'button', class: 'text-button', onclick: () => {
      button.remove();
      retry();
      this.input.focus();
    } }, this.t('retry_load'));
    this.status.after(button);
  }
}
