// Understanding end to end, the same in the browser and in Node:
// the wasm core prepares the text (normalise, correct, tokenise, entities), ONNX Runtime Web runs the
// intent model on the token ids, and the core turns the probabilities into labels and alternatives.
//
//   const nlu = await Understanding.create({ createGemCore, ort, wasmBinary, files });
//   (or pass an already started `core` instead of `createGemCore`/`wasmBinary`, to share it with a Session)
//   const meaning = await nlu.understand('wat kost een paspoort in Tilburg?');
//
// `files` holds the bytes of: spm (models/gem.spm), metadata (models/gem-nlu.json), onnx
// (models/gem-intent.onnx), municipalities, aliases, countries (content/gazetteer/*.tsv).

const HEADS = ['intent', 'product', 'aspect', 'lang'];

export class Understanding {
  static async create({ core, createGemCore, ort, wasmBinary, files }) {
    core ??= await createGemCore(wasmBinary ? { wasmBinary } : {});
    const understander = core.Understander.create({
      spm: files.spm,
      metadata: files.metadata,
      municipalities: files.municipalities,
      aliases: files.aliases,
      countries: files.countries,
    });
    // One thread: no SharedArrayBuffer, so no COOP/COEP headers are needed on municipal sites.
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(files.onnx, { executionProviders: ['wasm'] });
    return new Understanding(core, understander, ort, session);
  }

  constructor(core, understander, ort, session) {
    this.core = core;
    this.understander = understander;
    this.ort = ort;
    this.session = session;
  }

  // Resolves to {text, intent, product, aspect, confidence, alternatives, entities, lang, ...}.
  async understand(text) {
    return this.withScores(text, (analysis, scores) => JSON.parse(this.understander.interpret(analysis, ...scores)));
  }

  // Runs `use(analysis, [intent, product, aspect, lang])` with the model's probabilities for `text`.
  async withScores(text, use) {
    const analysis = this.understander.analyse(String(text));
    try {
      const ids = analysis.ids();
      const input = new this.ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const output = await this.session.run({ ids: input });
      return use(analysis, HEADS.map((head) => output[head].data));
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
    await this.session.release();
  }
}
