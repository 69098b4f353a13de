// Watch streams: newline-delimited JSON events over a chunked response, resumable from a
// resourceVersion inside the retained window (410 Expired as an ERROR event otherwise).
import type { ServerResponse } from 'node:http';
import { apiVersionOf } from './cluster.ts';
import { gone } from './status.ts';
import type { ObjectStore, StoreEvent } from './store.ts';
import type { KubeObject, ResourceType } from './types.ts';

export interface WatchSpec {
  readonly type: ResourceType;
  readonly resource: string;
  readonly version: string;
  /** Only objects this accepts (namespace, label and field selectors) are sent. */
  readonly matches: (object: KubeObject) => boolean;
  /** How an object is sent (the object at the requested version, or a Table). */
  readonly render: (object: KubeObject) => unknown;
  /** Numeric resourceVersion to resume after; undefined means "current state first". */
  readonly since: number | undefined;
  readonly sendInitialEvents: boolean;
  readonly bookmarks: boolean;
  readonly timeoutMs: number;
}

type Outgoing = { readonly type: string; readonly object: unknown };

/** What one store event means to one watcher (selectors turn updates into ADDED/DELETED). */
function translate(spec: WatchSpec, event: StoreEvent): Outgoing | undefined {
  if (event.resource !== spec.resource) return undefined;
  const now = event.type !== 'DELETED' && spec.matches(event.object);
  const before = event.type !== 'ADDED' && event.previous !== undefined && spec.matches(event.previous);
  const type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
  return type === undefined ? undefined : { type, object: spec.render(event.object) };
}

export class WatchHub {
  private readonly open = new Set<() => void>();

  constructor(private readonly store: ObjectStore, private readonly bookmarkIntervalMs: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Streams events to `res` until timeout, client disconnect, closeAll() or stop. */
  serve(spec: WatchSpec, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const send = (event: Outgoing): void => {
      res.write(`${JSON.stringify(event)}\n`);
    };
    const backlog = this.backlog(spec);
    if (backlog === 'expired') {
      send({ type: 'ERROR', object: gone(`too old resource version: ${spec.since ?? 0} (${this.store.compactedVersion})`) });
      res.end();
      return;
    }
    backlog.forEach(send);
    const unsubscribe = this.store.subscribe((event) => {
      const out = translate(spec, event);
      if (out !== undefined) send(out);
    });
    const bookmark = (): void => send({ type: 'BOOKMARK', object: this.bookmarkObject(spec, false) });
    const ticker = spec.bookmarks ? setInterval(bookmark, this.bookmarkIntervalMs) : undefined;
    ticker?.unref();
    const close = (): void => {
      if (!this.open.delete(close)) return;
      unsubscribe();
      clearInterval(ticker);
      clearTimeout(timer);
      res.end();
    };
    const timer = setTimeout(close, spec.timeoutMs);
    timer.unref();
    this.open.add(close);
    res.on('close', close);
  }

  /** Ends every open watch; clients see the stream end and must watch again. */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }

  private backlog(spec: WatchSpec): Outgoing[] | 'expired' {
    if (spec.since === undefined) {
      const current = this.store.list(spec.resource).filter(spec.matches).map((o) => ({ type: 'ADDED', object: spec.render(o) }));
      if (spec.sendInitialEvents && spec.bookmarks) current.push({ type: 'BOOKMARK', object: this.bookmarkObject(spec, true) });
      return current;
    }
    const events = this.store.eventsSince(spec.since);
    if (events === 'expired') return 'expired';
    return events.map((e) => translate(spec, e)).filter((e): e is Outgoing => e !== undefined);
  }

  private bookmarkObject(spec: WatchSpec, initialEnd: boolean): unknown {
    const metadata: Record<string, unknown> = { resourceVersion: String(this.store.resourceVersion) };
    if (initialEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    return { kind: spec.type.kind, apiVersion: apiVersionOf(spec.type, spec.version), metadata };
  }
}
