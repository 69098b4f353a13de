// `-o/--output` as kubectl users expect it: a format per command, objects printed as kubectl
// prints them (`-o json|yaml` a `List` of whole objects, `-o name` as `kind.group/NAME`).
import { stringify } from 'yaml';
import { FledgeError } from '../errors.ts';

/** Every format some command accepts; each command allows a subset (see `parseOutput`). */
export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml' | 'name';

/**
 * The `-o` value, checked against the formats a command allows; absent means `text`.
 * Throws FLEDGE_USAGE naming the allowed values.
 */
export function parseOutput<const F extends OutputFormat>(value: string | undefined, allowed: readonly F[]): F {
  // parseArgs reads kubectl's `-o=json` as the value "=json".
  const format = (value ?? 'text').replace(/^=/, '');
  const found = allowed.find((f) => f === format);
  if (found === undefined) throw new FledgeError('FLEDGE_USAGE', `--output ${format}: expected one of ${allowed.join(', ')}`);
  return found;
}

/** What `[-o a|b|c]` looks like in a usage line (completion reads it back from there). */
export function outputUsage(allowed: readonly OutputFormat[]): string {
  return `[-o ${allowed.join('|')}]`;
}

/** kubectl's `v1 List`, the shape of `kubectl get … -o json` for several objects. */
export interface KubeList {
  readonly apiVersion: 'v1';
  readonly kind: 'List';
  readonly items: readonly object[];
  readonly metadata: { readonly resourceVersion: string };
}

export function kubeList(items: readonly object[]): KubeList {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/**
 * An object (or List) as `-o json` or `-o yaml` prints it. Values go through JSON first, so
 * both formats carry the same data (dates as RFC 3339 strings, no undefined fields).
 */
export function formatObject(value: unknown, format: 'json' | 'yaml'): string {
  const plain: unknown = JSON.parse(JSON.stringify(value));
  return format === 'json' ? JSON.stringify(plain, null, 4) : stringify(plain, { lineWidth: 0 }).trimEnd();
}

/**
 * One record of a stream (`fledge wait` progress): a JSON line, or a YAML document starting
 * with `---`, so that `yaml.parseAllDocuments` reads the stream back.
 */
export function formatRecord(record: object, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(record) : `---\n${stringify(record, { lineWidth: 0 }).trimEnd()}`;
}
