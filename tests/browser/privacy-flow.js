// Judges recorded browser traffic against the data-flow statement (docs/privacy/data-flow.json):
// which listed request a URL is, whether its query, body and WebSocket frames hold only the listed
// fields, and where the resident's typed text may appear.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_FLOW_PATH = join(ROOT, 'docs/privacy/data-flow.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function loadDataFlow() {
  return JSON.parse(readFileSync(DATA_FLOW_PATH, 'utf8'));
}

// One browser session's view of the statement: {base} and {server} filled in.
export class DataFlow {
  constructor(flow, { base, server }) {
    this.flow = flow;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    // Each schema is compiled with the statement's shared definitions (#/$defs/…) beside it.
    const compile = (schema) => (schema ? ajv.compile({ ...schema, $defs: flow.$defs }) : null);
    const fill = (pattern) => pattern.replace(/\{(\w+)\}/g, (whole, name) => {
      if (name === 'base') return escapeRegExp(base);
      if (name === 'server') return escapeRegExp(server.replace(/\/$/, ''));
      if (name in flow.parameters) return `(?:${flow.parameters[name]})`;
      throw new Error(`data-flow.json: unknown placeholder ${whole} in ${pattern}`);
    });
    this.requests = flow.resident_requests.map((entry) => ({
      ...entry,
      regex: new RegExp(`^${fill(entry.url)}$`),
      validateQuery: compile(entry.query),
      validateBody: compile(entry.body),
      bodyTypedText: entry.body_typed_text ?? [],
      frames: Object.fromEntries(Object.entries(entry.frames_sent ?? {}).map(([type, frame]) => [type,
        { typedText: frame.typed_text, validate: compile(frame.schema) }])),
    }));
    // A storage key is literal text with {placeholders}.
    const keyPattern = (key) => key.split(/(\{\w+\})/).map((part, i) => (i % 2 ? fill(part) : escapeRegExp(part))).join('');
    this.storage = flow.browser_storage.map((item) => ({ ...item, regex: new RegExp(`^${keyPattern(item.key)}$`) }));
    this.inBrowser = (flow.in_browser ?? []).map((item) => ({ ...item, regex: new RegExp(`^${item.url}$`) }));
  }

  // Problems with a URL that never leaves the browser (blob:): it must be listed under in_browser.
  checkInBrowser(url) {
    return this.inBrowser.some((item) => item.regex.test(url)) ? [] : [`${url}: not in data-flow.json (in_browser)`];
  }

  // The listed request a browser request is, or null. WebSocket URLs are matched as http(s).
  match(method, url) {
    const { origin, pathname } = new URL(url.replace(/^ws/, 'http'));
    return this.requests.find((entry) => entry.method === method && entry.regex.test(`${origin}${pathname}`)) ?? null;
  }

  // Problems with one HTTP request: {method, url, postData}; the body fields that may hold typed text
  // (`typedText`) and the rest of the body (`rest`), as for WebSocket frames.
  checkRequest({ method, url, postData }) {
    const entry = this.match(method, url);
    if (!entry) return { entry: null, problems: [`${method} ${url}: not in data-flow.json`] };
    const problems = [];
    const query = Object.fromEntries(new URL(url).searchParams);
    const repeated = [...new URL(url).searchParams.keys()].length !== Object.keys(query).length;
    if (repeated) problems.push(`${method} ${url}: a query field appears twice`);
    if (entry.validateQuery) problems.push(...errors(entry.validateQuery, query, `${entry.id} query`));
    else if (new URL(url).search) problems.push(`${entry.id}: has a query, none is listed (${url})`);
    if (entry.validateBody) {
      let body;
      try {
        body = JSON.parse(postData ?? '');
      } catch {
        problems.push(`${entry.id}: body is not JSON: ${postData}`);
      }
      if (body !== undefined) {
        problems.push(...errors(entry.validateBody, body, `${entry.id} body`));
        const { taken, rest } = takePaths(body, entry.bodyTypedText);
        return { entry, problems, typedText: taken, rest: JSON.stringify(rest) };
      }
    } else if (postData) {
      problems.push(`${entry.id}: has a body, none is listed`);
    }
    return { entry, problems, typedText: [], rest: postData ?? '' };
  }

  // Problems with one frame the browser sent on a listed WebSocket, and the typed-text fields it may carry.
  checkFrame(entry, payload) {
    let frame;
    try {
      frame = JSON.parse(payload);
    } catch {
      return { problems: [`${entry.id}: frame is not JSON: ${payload}`], typedText: [], rest: payload };
    }
    const spec = entry.frames[frame?.type];
    if (!spec) return { problems: [`${entry.id}: frame type ${JSON.stringify(frame?.type)} not listed`], typedText: [], rest: payload };
    const problems = errors(spec.validate, frame, `${entry.id} ${frame.type} frame`);
    const { taken, rest } = takePaths(frame, spec.typedText);
    return { frame, problems, typedText: taken, rest: JSON.stringify(rest) };
  }

  storageKeyListed(area, key) {
    return this.storage.some((item) => item.area === area && item.regex.test(key));
  }
}

function errors(validate, value, where) {
  if (validate(value)) return [];
  return validate.errors.map((e) => `${where}: ${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}: ${JSON.stringify(value)}`);
}

// Removes the fields named like "transcript[].text" or "text" from a copy of `value`; returns their strings.
function takePaths(value, paths) {
  const rest = structuredClone(value);
  const taken = [];
  for (const path of paths) {
    const walk = (node, parts) => {
      if (node === null || typeof node !== 'object') return;
      const [head, ...tail] = parts;
      const array = head.endsWith('[]');
      const key = array ? head.slice(0, -2) : head;
      if (!(key in node)) return;
      if (tail.length === 0 && !array) {
        if (typeof node[key] === 'string') taken.push(node[key]);
        delete node[key];
        return;
      }
      for (const child of array ? [].concat(node[key]) : [node[key]]) walk(child, tail);
    };
    walk(rest, path.split('.'));
  }
  return { taken, rest };
}

// The forms a piece of personal data can take on the wire: as typed, without separators, URL-encoded.
export function variants(secret) {
  const forms = new Set([secret, secret.toLowerCase()]);
  const compact = secret.replace(/[\s.\-/]/g, '');
  if (compact.length >= 6) forms.add(compact).add(compact.toLowerCase());
  for (const form of [...forms]) forms.add(encodeURIComponent(form)).add(encodeURIComponent(form).replace(/%20/g, '+'));
  return [...forms];
}

// The secrets (and their variants) found in `text`.
export function leaks(text, secrets) {
  const haystack = String(text ?? '');
  const lower = haystack.toLowerCase();
  return secrets.filter((secret) => variants(secret).some((form) => lower.includes(form.toLowerCase())));
}
