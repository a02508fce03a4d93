// A municipality's product catalogue in the two national formats → entries with a uniform product name
// (UPL URI) and the municipality's own page for it.
//
// - Samenwerkende Catalogi (SC 4.0) XML: <overheidproduct:scproducten> with one <scproduct> per product;
//   meta/owmskern has the page (<dcterms:identifier>), title, language and the authority (<overheid:authority
//   resourceIdentifier=…>), meta/scmeta the UPL (<uniformeProductnaam resourceIdentifier=…>).
// - The national product catalogue API (SDG Productenlandschap, /api/v1/producten): JSON pages
//   {count, next, previous, results: [{upnUri, upnLabel, productAanwezig, verantwoordelijkeOrganisatie:
//   {owmsIdentifier, owmsPrefLabel}, vertalingen: [{taal, titel, procedureLink: {label, url}, datumWijziging}]}]}.
import { ImportError, lineAt, parseXml, textOf } from './xml.js';

export function parseCatalogue(text, file) {
  const start = text.trimStart()[0];
  if (start === '<') return parseSamenwerkendeCatalogi(text, file);
  if (start === '{' || start === '[') return parseProductApi(text, file);
  throw new ImportError(`${file}:1`, 'expected Samenwerkende Catalogi XML (<overheidproduct:scproducten>) or product catalogue API JSON ({"results": [...]})');
}

function parseSamenwerkendeCatalogi(text, file) {
  const doc = parseXml(text, file, { arrays: ['scproduct', 'uniformeProductnaam', 'authority'] });
  const root = doc.scproducten;
  if (!root || typeof root !== 'object') throw new ImportError(`${file}:1`, 'expected <overheidproduct:scproducten> as the root element');
  const lines = [...text.matchAll(/<(?:[\w.-]+:)?scproduct\b/g)].map((m) => lineAt(text, m.index));
  const authorities = new Set();
  const entries = (root.scproduct ?? []).map((product, i) => {
    const at = `${file}:${lines[i] ?? 1}`;
    const kern = product.meta?.owmskern;
    if (!kern) throw new ImportError(at, 'scproduct without meta/owmskern');
    const page = textOf(kern.identifier);
    if (!page) throw new ImportError(at, 'scproduct without <dcterms:identifier> (the product page)');
    for (const a of kern.authority ?? []) authorities.add(textOf(a['@_resourceIdentifier']) || textOf(a));
    const scmeta = product.meta?.scmeta ?? {};
    return {
      at,
      title: textOf(kern.title),
      lang: textOf(kern.language) || 'nl',
      page,
      upl: (scmeta.uniformeProductnaam ?? []).map((u) => ({ uri: textOf(u['@_resourceIdentifier']), label: textOf(u) }))
        .filter((u) => u.uri),
      modified: textOf(kern.modified),
    };
  });
  return { format: 'Samenwerkende Catalogi', authorities: [...authorities].filter(Boolean), entries };
}

function parseProductApi(text, file) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const offset = /position (\d+)/.exec(error.message)?.[1];
    throw new ImportError(`${file}:${offset ? lineAt(text, Number(offset)) : 1}`, `not valid JSON: ${error.message}`);
  }
  const results = Array.isArray(doc) ? doc : doc.results;
  if (!Array.isArray(results)) throw new ImportError(`${file}:1`, 'expected a product list page {"count": …, "results": [...]}');
  const starts = [...text.matchAll(/"upnUri"\s*:/g)].map((m) => lineAt(text, m.index));
  const authorities = new Set();
  const entries = results.map((product, i) => {
    const at = `${file}:${starts[i] ?? 1}`;
    if (!product || typeof product !== 'object' || typeof product.upnUri !== 'string' || !product.upnUri) {
      throw new ImportError(at, `result ${i + 1}: expected "upnUri" (the product's uniform product name URI)`);
    }
    const org = product.verantwoordelijkeOrganisatie;
    if (org?.owmsIdentifier) authorities.add(org.owmsIdentifier);
    const nl = (product.vertalingen ?? []).find((v) => v?.taal === 'nl') ?? {};
    return {
      at,
      title: nl.titel || product.upnLabel || '',
      lang: 'nl',
      page: nl.procedureLink?.url ?? '',
      source: typeof product.url === 'string' && product.url.startsWith('https://') ? product.url : undefined,
      upl: [{ uri: product.upnUri, label: product.upnLabel ?? '' }],
      absent: product.productAanwezig === false,
      modified: (nl.datumWijziging ?? '').slice(0, 10),
    };
  });
  return { format: 'product catalogue API', authorities: [...authorities], entries };
}
