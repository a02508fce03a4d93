// The widget's own feedback controls inside the transcript (its chrome, labelled by the core's ui() texts):
// thumbs up/down under an answer, and the satisfaction question (NPS 0–10). The choice is the controller's
// (conversation.rate/score: counted once, stored with the conversation); the view only shows it, and focus
// stays on the pressed button.
import { h } from './dom.js';

let ids = 0;

// Thumbs up/down for one answer: a group labelled by the question, two toggle buttons and a thanks line.
export function thumbs({ doc, t, conversation }, message) {
  const id = `gem-feedback-${(ids += 1)}`;
  const thanks = h(doc, 'p', { class: 'thanks' }, message.feedback === 'asked' ? '' : t('feedback_thanks'));
  const buttons = [['up', t('feedback_yes')], ['down', t('feedback_no')]].map(([value, label]) => {
    const button = h(doc, 'button', { type: 'button', class: 'text-button', 'aria-pressed': String(message.feedback === value) }, label);
    button.addEventListener('click', () => {
      conversation.rate(message, value);
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      thanks.textContent = t('feedback_thanks');
    });
    return button;
  });
  return [h(doc, 'div', { role: 'group', 'aria-labelledby': id, class: 'feedback' },
    h(doc, 'p', { class: 'question', id }, t('feedback')), ...buttons), thanks];
}

// 0–10 as eleven buttons in a group labelled by the question and described by the scale.
export function npsQuestion({ doc, t, conversation }, message) {
  const id = `gem-nps-${(ids += 1)}`;
  const thanks = h(doc, 'p', { class: 'thanks' }, message.score === null ? '' : t('nps_thanks', { score: message.score }));
  const buttons = Array.from({ length: 11 }, (_, score) => {
    const button = h(doc, 'button', { type: 'button', class: 'nps__score', 'aria-pressed': String(message.score === score) }, String(score));
    button.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      thanks.textContent = t('nps_thanks', { score });
      conversation.score(message, score);
    });
    return button;
  });
  return h(doc, 'div', { class: 'message message--bot message--nps', lang: message.lang },
    h(doc, 'div', { role: 'group', class: 'nps', 'aria-labelledby': `${id}-q`, 'aria-describedby': `${id}-scale` },
      h(doc, 'p', { class: 'question', id: `${id}-q` }, t('nps')),
      h(doc, 'p', { class: 'nps__scale', id: `${id}-scale` }, t('nps_scale')),
      h(doc, 'ul', { class: 'nps__scores' }, ...buttons.map((b) => h(doc, 'li', {}, b)))),
    thanks);
}
