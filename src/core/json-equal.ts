// Equality of plain data as JSON would store it, without the round trip: a status is compared
// with the stored one on every reconcile, and JSON.parse(JSON.stringify(…)) of both was most of
// that reconcile's garbage.

/** JSON writes NaN and ±Infinity as null (and -0 as 0, which === already equates). */
function stored(value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** A value as JSON would store it inside an array: undefined (and functions) become null. */
function inArray(value: unknown): unknown {
  return value === undefined || typeof value === 'function' ? null : value;
}

/** Keys JSON would write: those whose value is neither undefined nor a function. */
function writtenKeys(record: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(record).filter((key) => record[key] !== undefined && typeof record[key] !== 'function');
}

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => jsonEqual(inArray(value), inArray(b[index])));
}

function sameRecord(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = writtenKeys(a);
  if (keys.length !== writtenKeys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/**
 * True when `a` and `b` serialise to equal JSON up to key order: undefined properties are
 * absent, -0 is 0, NaN and ±Infinity are null. For plain data (no Dates, Maps or toJSON).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const x = stored(a);
  const y = stored(b);
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  return Array.isArray(x) ? sameArray(x, y as unknown[]) : sameRecord(x as Record<string, unknown>, y as Record<string, unknown>);
}
