// A Deployment's annotations parsed once per distinct text, not on every reconcile: apps mostly
// share a handful of annotation sets, and parsing (zod, the catalog's templates) was a large part
// of a reconcile's CPU. Keyed by the annotations' JSON text, so an object changed in place
// never answers for its old contents.
import { parseAnnotations, type ParseResult } from '../config/annotations.ts';
import type { Catalog } from '../config/catalog.ts';

/** Distinct annotation sets remembered per catalog; past this the memo starts again. */
const maxEntries = 1000;

const memo = new WeakMap<Catalog, Map<string, ParseResult>>();

/** parseAnnotations, remembered by the annotations' text for this catalog. The result is shared: never mutate it. */
export function parsedAnnotations(annotations: Readonly<Record<string, string>>, catalog: Catalog): ParseResult {
  let byText = memo.get(catalog);
  if (byText === undefined) {
    byText = new Map();
    memo.set(catalog, byText);
  }
  const text = JSON.stringify(annotations);
  const known = byText.get(text);
  if (known !== undefined) return known;
  const parsed = parseAnnotations(annotations, catalog);
  if (byText.size >= maxEntries) byText.clear();
  byText.set(text, parsed);
  return parsed;
}
