// One copy of each string the cached objects repeat. Every watch event is parsed from JSON, and
// JSON.parse makes a new string for every value: thousands of cached Deployments, Services and
// Canaries each hold their own "fledge.dev/v1alpha1", "RollingUpdate", "Deployment has minimum
// availability.", condition reasons, timestamps of the same second, label values, and a Canary its
// reason sentence up to three times (message, Ready condition, history). As an object enters a
// cache its strings are replaced, in place, by the first copy seen. The table is bounded: when it
// is full it starts again (the copies already shared stay shared).
import type { KubernetesObject } from '@kubernetes/client-node';

export interface InternOptions {
  /** Strings kept in the table at most (default 100,000). */
  readonly limit?: number;
  /** Longer strings are left as they are (default 1024 characters). */
  readonly maxLength?: number;
}

/** Values unique to one object version: sharing them saves nothing and churns the table. */
const unique = new Set(['resourceVersion', 'uid']);

export class Interner {
  readonly #table = new Map<string, string>();
  readonly #limit: number;
  readonly #maxLength: number;

  constructor(options: InternOptions = {}) {
    this.#limit = options.limit ?? 100_000;
    this.#maxLength = options.maxLength ?? 1024;
  }

  /** The shared copy of `text`. */
  string(text: string): string {
    if (text.length > this.#maxLength) return text;
    const known = this.#table.get(text);
    if (known !== undefined) return known;
    if (this.#table.size >= this.#limit) this.#table.clear();
    this.#table.set(text, text);
    return text;
  }

  /** `object` with every string in it (values, not keys) replaced by its shared copy, in place. */
  object<T extends KubernetesObject>(object: T): T {
    this.#walk(object as unknown as Record<string, unknown>);
    return object;
  }

  get size(): number {
    return this.#table.size;
  }

  #walk(value: Record<string, unknown> | unknown[]): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) value[i] = this.#value(value[i]);
      return;
    }
    for (const key of Object.keys(value)) {
      if (!unique.has(key)) value[key] = this.#value(value[key]);
    }
  }

  #value(value: unknown): unknown {
    if (typeof value === 'string') return this.string(value);
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) this.#walk(value as Record<string, unknown>);
    return value;
  }
}
