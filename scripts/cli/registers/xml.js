// Reading the registers' XML exports: well-formedness first (an error names file and line), then plain
// objects without namespace prefixes. Exports come from outside the project, so a DOCTYPE (and with it
// entity expansion) is refused.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class ImportError extends Error {
  constructor(at, message) {
    super(`${at}: ${message}`);
    this.at = at;
  }
}

export function parseXml(text, file, { arrays = [] } = {}) {
  const doctype = text.search(/<!DOCTYPE/i);
  if (doctype >= 0) throw new ImportError(`${file}:${lineAt(text, doctype)}`, 'a DOCTYPE is not expected in a register export');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ImportError(`${file}:${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,        // codes such as "00599" stay text
    parseAttributeValue: false,
    htmlEntities: true,
    trimValues: true,
    isArray: (name) => arrays.includes(name),
  });
  return parser.parse(text);
}

// The line of a character offset, 1-based.
export function lineAt(text, offset) {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

// Text of an element that may carry attributes ({"#text": ...}) or be empty.
export function textOf(node) {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return String(node['#text'] ?? '').trim();
  return String(node).trim();
}
