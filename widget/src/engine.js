// Loads Gem's local intelligence in two phases, from the widget's own folder (the `base` URL):
//   1. the dialogue: the wasm core (core/gem-core.wasm) and the municipality's content pack
//      (content/GMxxxx.json, or content/generic.json) — enough for the welcome and the quick replies;
//   2. understanding: the gazetteers and the core's compact tier (gazetteer/, models/gem-compact.bin), which
//      answers the typed messages it is sure of at once; ONNX Runtime Web (ort/) and the full model
//      (models/gem-intent.onnx) answer the rest, and everything once they are ready. ONNX Runtime runs in a
//      Web Worker (model-runner.js): compiling it and running the model never freeze the page.
// Both start at once (prefetch on hover/focus, or on opening); nothing here sends what residents type.
import createGemCore from 'gem-core';  // the wasm build's gem-core.js, bundled by widget/build.js

import { Session } from '../../wasm/session.js';
import { Understanding } from '../../wasm/understanding.js';
import { assetUrl } from './assets.js';
import { startModel } from './model-runner.js';

const engines = new Map();

// The wasm core, compiled while it downloads (instantiateStreaming), which also lets the browser keep the
// compiled code for the next visit. A failed download rejects (Emscripten's factory alone would never settle).
function startCore(download) {
  return new Promise((resolve, reject) => {
    createGemCore({
      instantiateWasm(imports, ready) {
        download.then((response) => WebAssembly.instantiateStreaming(response, imports))
          .then(({ instance, module }) => ready(instance, module), reject);
        return {};
      },
    }).then(resolve, reject);
  });
}

export function validMunicipality(code) {
  return /^GM\d{4}$/.test(code ?? '') ? code : '';
}

// One engine per widget folder and municipality, shared by prefetch and the panel.
export function engineFor(config) {
  const key = `${config.base}|${validMunicipality(config.municipality)}`;
  if (!engines.has(key)) {
    const engine = new Engine(config);
    engines.set(key, engine);
    // A failed load is forgotten, so that the next attempt ("retry") starts again.
    Promise.all([engine.dialogue, engine.understanding, engine.model]).catch(() => {
      if (engines.get(key) === engine) engines.delete(key);
    });
  }
  return engines.get(key);
}

class Engine {
  constructor({ base, municipality }) {
    this.municipality = validMunicipality(municipality);
    const url = (path) => assetUrl(base, path);
    const get = async (path) => {
      // Static assets need no cookies: a site hosting Gem on its own domain does not send its cookies along.
      const response = await fetch(url(path), { credentials: 'omit', referrerPolicy: 'no-referrer' });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response;
    };
    const bytes = async (path) => new Uint8Array(await (await get(path)).arrayBuffer());
    const text = async (path) => (await get(path)).text();

    const municipalities = text('gazetteer/gemeenten.tsv');
    const core = startCore(get('core/gem-core.wasm'));
    const pack = this.municipality
      ? text(`content/${this.municipality}.json`).catch(() => text('content/generic.json'))
      : text('content/generic.json');
    this.dialogue = Promise.all([core, pack, municipalities]).then(([gemCore, packJson, tsv]) => ({ core: gemCore, pack: packJson, tsv }));

    const files = Promise.all([bytes('models/gem.spm'), text('models/gem-nlu.json'), bytes('models/gem-compact.bin'),
      municipalities, text('gazetteer/gemeente-aliases.tsv'), text('gazetteer/landen.tsv')]);
    // ONNX Runtime and the full model in a Web Worker (or, where the page forbids one, on the main thread).
    this.model = bytes('models/gem-intent.onnx').then((onnx) => startModel({
      ortUrl: url('ort/ort.wasm.min.mjs'),
      wasmPaths: { mjs: url('ort/ort-wasm-simd-threaded.mjs'), wasm: url('ort/ort-wasm-simd-threaded.wasm') },
      onnx,
    }));
    // Ready long before the full model: the core's compact tier answers what it is sure of until then.
    this.understanding = Promise.all([core, files]).then(([gemCore, [spm, metadata, compact, tsv, aliases, countries]]) =>
      // The same core as the dialogue's, so the session and the understander share one wasm instance.
      Understanding.create({ core: gemCore, runner: this.model, files: { spm, metadata, compact, municipalities: tsv, aliases, countries } }));
    // Failures are reported where they are awaited, not as unhandled rejections.
    this.dialogue.catch(() => {});
    this.understanding.catch(() => {});
    this.model.catch(() => {});
  }

  // A conversation that can welcome and take quick replies now; typed messages need its `understanding`.
  async createSession() {
    const { core, pack, tsv } = await this.dialogue;
    return new Session(null, core.Session.create(pack, tsv, this.municipality));
  }

  async redactor() {
    const { core } = await this.dialogue;
    return (text) => core.redact(text);
  }

  // The site's municipality by name, from the gazetteer ('' for none): the panel's subtitle.
  async municipalityName() {
    const { tsv } = await this.dialogue;
    const row = this.municipality ? tsv.split('\n').find((line) => line.startsWith(`${this.municipality}\t`)) : null;
    return row?.split('\t')[1]?.trim() ?? '';
  }
}

// What the conversation controller needs of the engine (conversation.js): a session, the model attached
// to it when a typed message needs it (loaded again after a failure), and the core's redaction.
export function engineLink(config) {
  let understanding = null;
  let modelReady = false;
  let redact = null;
  let municipalityName = '';
  const watch = (engine) => {
    const loading = engine.understanding.then((loaded) => {
      modelReady = true;
      return loaded;
    });
    understanding = loading;
    // A failed load (of the compact tier or the full model) is tried again by the next typed message.
    const forget = () => {
      modelReady = false;
      if (understanding === loading) understanding = null;
    };
    loading.catch(forget);
    engine.model.catch(forget);
  };
  return {
    get modelReady() {
      return modelReady;
    },
    get municipalityName() {
      return municipalityName;
    },
    async load() {
      const engine = engineFor(config);
      watch(engine);
      redact = await engine.redactor();
      municipalityName = await engine.municipalityName();
      return engine.createSession();
    },
    async understand(session) {
      if (!understanding) watch(engineFor(config));
      session.understanding = await understanding;
    },
    redact: (text) => redact(text),
  };
}
