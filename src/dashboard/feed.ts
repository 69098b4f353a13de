// The releases the dashboard shows, kept current by a watch on Canaries (list + watch, with the
// person's kubeconfig, so their RBAC applies). Every change is passed to the listeners at once:
// the browser hears of it through server-sent events, nothing polls.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { parseCanary, type CanaryObject } from '../adapters/kube/canary-resource.ts';
import { Watches } from '../controller/watch.ts';
import { rowOf, type ReleaseRow } from './view.ts';

/** A change to one release: its new row, or its removal. */
export type FeedChange = { readonly kind: 'release'; readonly row: ReleaseRow } | { readonly kind: 'deleted'; readonly namespace: string; readonly name: string };

export type FeedListener = (change: FeedChange) => void;

export interface FeedOptions {
  readonly kc: KubeConfig;
  /** One namespace, or every namespace when undefined (-A). */
  readonly namespace: string | undefined;
  /** Told when the watch fails (it restarts with backoff). */
  readonly onError?: (error: unknown) => void;
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

export class ReleaseFeed {
  readonly #watches: Watches;
  readonly #listeners = new Set<FeedListener>();

  constructor(options: FeedOptions) {
    this.#watches = new Watches({
      kc: options.kc,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      watches: [{ kind: 'canaries', keysOf: (object) => [keyOf(object)] }],
      onKey: (key) => this.#changed(key),
      resyncMs: 0,
      onError: (_kind, error) => options.onError?.(error),
    });
  }

  /** Lists the Canaries once (rejects when the first list fails), then watches. */
  async start(): Promise<void> {
    await this.#watches.start();
  }

  async stop(): Promise<void> {
    this.#listeners.clear();
    await this.#watches.stop();
  }

  /** Every release known now, by namespace and name. */
  rows(): ReleaseRow[] {
    return this.#watches
      .cached('canaries')
      .map((object) => rowOf(parseCanary(object)))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  /** The Canary as last seen by the watch; null when there is none. */
  canary(namespace: string, name: string): CanaryObject | null {
    const object = this.#watches.lookup('canaries').get(name, namespace);
    return object === undefined ? null : parseCanary(object);
  }

  /** Calls `listener` at every change; returns the function that stops it. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(key: string): void {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const canary = this.canary(namespace, name);
    const change: FeedChange = canary === null ? { kind: 'deleted', namespace, name } : { kind: 'release', row: rowOf(canary) };
    for (const listener of this.#listeners) listener(change);
  }
}
