// The quick replies of the last response: buttons in a group labelled with the core's question. All labels
// come from the core; pressing one goes to the controller (conversation.press), which knows its kind.
import { h, setAttr, setText } from './dom.js';

export class Choices {
  constructor({ doc, t }, { press }) {
    this.doc = doc;
    this.t = t;
    this.press = press;
    this.current = null;
    this.label = h(doc, 'p', { class: 'choices__label', id: 'gem-choices-label' });
    this.list = h(doc, 'ul', { class: 'choices__list' });
    this.el = h(doc, 'div', { class: 'choices', role: 'group', 'aria-labelledby': 'gem-choices-label', hidden: true }, this.label, this.list);
  }

  // `choices`: {label, replies: [{id, label, kind}], lang} or null.
  show(choices) {
    this.current = choices;
    this.list.replaceChildren();
    this.el.hidden = !choices;
    if (!choices) return;
    setAttr(this.el, 'lang', choices.lang);
    this.relabel();
    for (const reply of choices.replies) {
      this.list.append(h(this.doc, 'li', {}, h(this.doc, 'button', { type: 'button', class: 'choice', onclick: () => this.press(reply) }, reply.label)));
    }
  }

  relabel() {
    if (this.current) setText(this.label, this.current.label || this.t('choices'));
  }
}
