// One copy of each string the cached objects repeat. Every watch event is parsed from JSON, and
// JSON.parse makes a new string for every value: thousands of cached Deployments, Services and
// Canaries each hold their own "fledge.dev/v1alpha1", "RollingUpdate", "Deployment has minimum
// availability.", condition reasons, timestamps of the same second, label values, and a Canary its
// reason sentence up to three times (message, Ready condition, history). As an object enters a
// cache its strings are replaced, in place, by the first copy seen. Short strings are shared
// through a table across objects; longer ones (a Canary's sentences, which name its own revision
// and counts) only within the one object: kept in the table they would outlive every object that
// held them. The table is bounded: when it is full it starts again (the copies already shared stay
// shared).
import type { KubernetesObject } from '@kubernetes/client-node';

export interface InternOptions {
  /**
   * Strings kept in the table at most (default 20,000). The table alone keeps a string alive once
   * its objects are gone (a timestamp, an old name): at 100,000 that was about 5 MB with 5000 apps.
   */
  readonly limit?: number;
  /** Longer strings are shared within one object only, never kept in the table (default 96 characters). */
  readonly maxLength?: number;
}

/** Values unique to one object version: sharing them saves nothing and churns the table. */
const unique = new Set(['resourceVersion', 'uid']);

export class Interner {
  readonly #table = new Map<string, string>();
  readonly #limit: number;
  readonly #maxLength: number;

  constructor(options: InternOptions = {}) {
    this.#limit = options.limit ?? 20_000;
    this.#maxLength = options.maxLength ?? 96;
  }

  /** The shared copy of `text` (a string longer than maxLength is returned as it is). */
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
    this.#walk(object as unknown as Record<string, unknown>, new Map());
    return object;
  }

  get size(): number {
    return this.#table.size;
  }

  /** Empties the table (the copies already shared stay shared). */
  clear(): void {
    this.#table.clear();
  }

  /** `local`: this object's long strings, shared within it only. */
  #walk(value: Record<string, unknown> | unknown[], local: Map<string, string>): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) value[i] = this.#value(value[i], local);
      return;
    }
    for (const key of Object.keys(value)) {
      if (!unique.has(key)) value[key] = this.#value(value[key], local);
    }
  }

  #value(value: unknown, local: Map<string, string>): unknown {
    if (typeof value === 'string') return value.length > this.#maxLength ? this.#local(value, local) : this.string(value);
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) this.#walk(value as Record<string, unknown>, local);
    return value;
  }

  #local(text: string, local: Map<string, string>): string {
    const known = local.get(text);
    if (known !== undefined) return known;
    local.set(text, text);
    return text;
  }
}
