// nlp.js peer for scripts/bench: @nlpjs/nlp with the Dutch language pack, one model per head (intent on every
// example, product and aspect on the examples that name one), trained on the same split as Gem.
// nlp.js answers intent "None" below its own threshold: that counts as low confidence, as Gem's does.
import { containerBootstrap } from '@nlpjs/core';
import { LangNl } from '@nlpjs/lang-nl';
import { Nlp } from '@nlpjs/nlp';

const HEADS = ['intent', 'product', 'aspect'];
export const SPELL_CHECK = { spellCheck: true, spellCheckDistance: 2 };

async function trainHead(examples, head) {
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(LangNl);
  // nlp.js's own defaults for its classifiers, except that it would log every training epoch.
  container.registerConfiguration('nlu-??', { keepStopwords: true, nonefeatureValue: 1, nonedeltaMultiplier: 1.2,
    spellCheck: false, spellCheckDistance: 1, filterZeros: true, log: false });
  const nlp = container.get('nlp');
  nlp.settings.autoSave = false;  // in memory: the default writes model.nlp to the working directory
  nlp.addLanguage('nl');
  for (const example of examples) if (example[head] != null) nlp.addDocument('nl', example.text, example[head]);
  await nlp.train();
  return nlp;
}

// Returns {understand(text, settings), exportModels()} where understand resolves to {intent, product, aspect, low_confidence}.
export async function trainNlpjs(train) {
  const models = {};
  for (const head of HEADS) models[head] = await trainHead(train, head);
  return {
    async understand(text, settings = {}) {
      const meaning = {};
      for (const head of HEADS) {
        const result = await models[head].process('nl', text, {}, settings);
        meaning[head] = result.intent === 'None' ? null : result.intent;
      }
      meaning.low_confidence = meaning.intent === null;
      return meaning;
    },
    // The trained models as a browser would download them (nlp.js's own minified export).
    exportModels: () => HEADS.map((head) => models[head].export(true)).join('\n'),
  };
}
