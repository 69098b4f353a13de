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

/** A value JSON would write as a property: neither undefined nor a function. */
function written(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function';
}

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (!jsonEqual(inArray(a[i]), inArray(b[i]))) return false;
  return true;
}

/**
 * Every written key of `a` is written in `b` with an equal value, and `b` writes no other: two
 * loops over the keys in place, because key arrays built on every comparison were most of what a
 * reconcile allocated.
 */
function sameRecord(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  let keys = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key) || !written(a[key])) continue;
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
    keys += 1;
  }
  for (const key in b) if (Object.hasOwn(b, key) && written(b[key])) keys -= 1;
  return keys === 0;
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
