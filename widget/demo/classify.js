// The bare understanding page: everything runs in this tab; nothing typed is sent anywhere.
import * as ort from '/vendor/ort/ort.wasm.min.mjs';
import { Understanding } from '/wasm/understanding.js';

const $ = (id) => document.getElementById(id);
const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const text = async (url) => (await fetch(url)).text();

ort.env.wasm.wasmPaths = '/vendor/ort/';

async function start() {
  const [spm, metadata, onnx, municipalities, aliases, countries, wasmBinary] = await Promise.all([
    bytes('/models/gem.spm'), text('/models/gem-nlu.json'), bytes('/models/gem-intent.onnx'),
    text('/content/gazetteer/gemeenten.tsv'), text('/content/gazetteer/gemeente-aliases.tsv'),
    text('/content/gazetteer/landen.tsv'), bytes('/wasm/gem-core.wasm'),
  ]);
  const nlu = await Understanding.create({
    createGemCore: globalThis.createGemCore, ort, wasmBinary,
    files: { spm, metadata, onnx, municipalities, aliases, countries },
  });
  $('status').textContent = 'Klaar. Typ een vraag.';
  for (const el of document.querySelectorAll('#ask input, #ask button')) el.disabled = false;
  $('ask').addEventListener('submit', async (event) => {
    event.preventDefault();
    const meaning = await nlu.understand($('question').value);
    const rows = [['intent', meaning.intent], ['product', meaning.product ?? '—'], ['aspect', meaning.aspect ?? '—'],
      ['zekerheid', meaning.confidence.toFixed(2)], ['taal', meaning.lang],
      ['entiteiten', meaning.entities.map((e) => `${e.type}=${e.value}`).join(', ') || '—']];
    $('summary').replaceChildren(...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = k;
      dd.textContent = v;  // textContent: never HTML
      return [dt, dd];
    }));
    $('json').textContent = JSON.stringify(meaning, null, 2);
    $('status').textContent = `Begrepen als ${meaning.intent}${meaning.product ? `, ${meaning.product}` : ''}.`;
  });
}

start().catch((error) => {
  $('status').textContent = `Laden mislukt: ${error.message}`;
});
