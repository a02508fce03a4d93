// Understanding end to end, the same in the browser and in Node:
// the wasm core prepares the text (normalise, correct, tokenise, entities), ONNX Runtime Web runs the
// intent model on the token ids, and the core turns the probabilities into labels and alternatives.
//
//   const nlu = await Understanding.create({ createGemCore, ort, wasmBinary, files });
//   (or pass an already started `core` instead of `createGemCore`/`wasmBinary`, to share it with a Session,
//   and a `runner` instead of `ort` to run the model elsewhere, e.g. in a Web Worker)
//   const meaning = await nlu.understand('wat kost een paspoort in Tilburg?');
//
// `files` holds the bytes of: spm (models/gem.spm), metadata (models/gem-nlu.json), onnx
// (models/gem-intent.onnx), municipalities, aliases, countries (content/gazetteer/*.tsv), and optionally
// compact (models/gem-compact.bin).

const HEADS = ['intent', 'product', 'aspect', 'lang'];

// The compact tier answers on its own only when it is sure, and never with "not understood": whether a message
// is out of scope is the full model's call (the compact tier's out-of-scope precision is low, and an answer
// that waits a moment is better than a wrong "I did not understand").
export function compactAnswers(understander, analysis, scores) {
  if (!understander.compactSure(...scores)) return false;
  const meaning = JSON.parse(understander.interpret(analysis, ...scores));
  return !meaning.low_confidence && meaning.intent !== 'buiten_bereik';
}

// The model on ONNX Runtime in this thread: {run(ids) → Promise<[intent, product, aspect, lang] scores>, close()}.
// (The widget may run it in a Web Worker instead: widget/src/model-runner.js.)
export async function ortRunner(ort, onnx) {
  // One thread: no SharedArrayBuffer, so no COOP/COEP headers are needed on municipal sites.
  ort.env.wasm.numThreads = 1;
  // The basic graph optimisations give this model the same probabilities to the bit as all of them; the others'
  // code then never runs, so the widget's trimmed ONNX Runtime (widget/ort-trim.js) leaves it out (61 KB brotli).
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'basic' });
  return {
    async run(ids) {
      const output = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
      return HEADS.map((head) => output[head].data);
    },
    close: () => session.release(),
  };
}

export class Understanding {
  // `runner` runs the model (see ortRunner); without one, `ort` runs `files.onnx` in this thread. `runner` may
  // be a promise of one: until it resolves, the core's compact tier (`files.compact`, models/gem-compact.bin)
  // answers the messages it is sure of, and the others wait for the full model.
  static async create({ core, createGemCore, ort, runner, wasmBinary, files }) {
    core ??= await createGemCore(wasmBinary ? { wasmBinary } : {});
    runner ??= await ortRunner(ort, files.onnx);
    const understander = core.Understander.create({
      spm: files.spm,
      metadata: files.metadata,
      municipalities: files.municipalities,
      aliases: files.aliases,
      countries: files.countries,
    });
    if (files.compact) understander.loadCompact(files.compact);
    return new Understanding(core, understander, runner, Boolean(files.compact));
  }

  constructor(core, understander, runner, compact = false) {
    this.core = core;
    this.understander = understander;
    this.compact = compact;
    this.model = Promise.resolve(runner);
    this.runner = typeof runner?.then === 'function' ? null : runner;
    this.model.then((ready) => { this.runner = ready; }, () => {});
  }

  // Resolves to {text, intent, product, aspect, confidence, alternatives, entities, lang, ...}.
  async understand(text) {
    return this.withScores(text, (analysis, scores) => JSON.parse(this.understander.interpret(analysis, ...scores)));
  }

  // Runs `use(analysis, [intent, product, aspect, lang], tier)` with the probabilities for `text`: from the full
  // model ('full'), or, while it loads, from the compact tier when that is sure ('compact'). `onWait` is called
  // when the message has to wait for the full model. A full model that failed to load rejects with `loadFailed`.
  async withScores(text, use, { onWait } = {}) {
    const analysis = this.understander.analyse(String(text));
    try {
      if (!this.runner && this.compact) {
        const scores = this.understander.compactScores(analysis);
        if (compactAnswers(this.understander, analysis, scores)) return use(analysis, scores, 'compact');
      }
      if (!this.runner) onWait?.();
      const runner = await this.model.catch((error) => {
        throw Object.assign(new Error(`the model did not load: ${error.message}`), { loadFailed: true, cause: error });
      });
      return use(analysis, await runner.run(Array.from(analysis.ids())), 'full');
    } finally {
      analysis.delete();
    }
  }

  // Token ids exactly as the model sees them (for checking native/wasm parity).
  tokenIds(text) {
    const analysis = this.understander.analyse(String(text));
    try {
      return Array.from(analysis.ids());
    } finally {
      analysis.delete();
    }
  }

  // Heap in use by the core, to watch memory over long conversations.
  heapBytes() {
    return this.core.HEAPU8.length;
  }

  async close() {
    this.understander.delete();
    await (await this.model.catch(() => null))?.close();
  }
}
