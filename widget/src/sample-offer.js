// The offer to share one question (samples.js), drawn inside the transcript: a group labelled by the core's
// question, the exact text that would be sent (as text, never markup), what Gem understood (the core's words),
// why it is safe, and two buttons. The choice is the controller's (conversation.shareSample/declineSample); after
// a press the message is drawn again and focus goes to its status line, since the pressed button is gone.
import { h } from './dom.js';

let ids = 0;

export function sampleOffer({ doc, t, conversation }, message) {
  const id = `gem-sample-${(ids += 1)}`;
  const open = message.state === 'offered' || message.state === 'failed';
  const status = { sending: 'sample_sending', sent: 'sample_sent', declined: 'sample_declined', failed: 'sample_failed' }[message.state];
  const buttons = open ? h(doc, 'div', { class: 'sample__buttons' },
    h(doc, 'button', { type: 'button', class: 'sample__share', onclick: () => conversation.shareSample(message) }, t('sample_share')),
    h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => conversation.declineSample(message) }, t('sample_decline'))) : null;
  return h(doc, 'div', { class: 'message message--bot message--sample', lang: message.lang },
    h(doc, 'div', { role: 'group', class: 'sample', 'aria-labelledby': `${id}-q` },
      h(doc, 'p', { class: 'question', id: `${id}-q` }, message.text),
      h(doc, 'p', { class: 'sample__label', id: `${id}-label` }, t('sample_text')),
      h(doc, 'blockquote', { class: 'sample__text', 'aria-labelledby': `${id}-label` }, h(doc, 'p', {}, message.draft.text)),
      h(doc, 'p', { class: 'sample__understood' }, message.understood),
      open ? h(doc, 'p', { class: 'sample__explain' }, t('sample_explain')) : null,
      buttons),
    status ? h(doc, 'p', { class: 'thanks', tabindex: '-1', 'data-focus': '' }, t(status)) : null);
}
