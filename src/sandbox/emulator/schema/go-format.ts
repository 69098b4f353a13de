// Values printed the way the real server's field errors print them (Go's fmt: %q for strings,
// %v for numbers and booleans, %#v for lists and maps).
import { isRecord } from '../json.ts';

/** Go's %v of a float64: exponent form below 1e-4 and from 1e21, two-digit exponents. */
export function goNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < 1e21) return String(value);
  if (magnitude === 0 || (magnitude >= 1e-4 && magnitude < 1e21)) return String(value);
  return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's %q of a string (JSON quoting agrees for the printable characters). */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go's %#v of a decoded JSON value inside a list or map. */
function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  if (!isRecord(value)) return typeof value;
  const entries = Object.keys(value).sort().map((key) => `${goQuote(key)}:${goSyntax(value[key])}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

/** A bad value in a field error: `"text"`, `5`, `true`, `"null"`, `[]interface {}{…}`. */
export function goValue(value: unknown): string {
  return value === null || value === undefined ? goQuote('null') : goSyntax(value);
}
