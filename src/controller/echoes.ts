// The controller's own writes come back to it as watch events. Such an echo tells it nothing new:
// the reconcile that wrote has already scheduled what comes next (a poll, a look, the watch
// event of the change it waits for). At thousands of apps, waking an app for each echo (a scale,
// a route write, a promoted primary) is a third of the work queue's runs. An echo is told apart by
// the resourceVersion the write returned. For an object nobody but this controller and people
// write, with conditional writes (a route), one that arrives before the write's answer (a busy API
// server) is told apart by the write still being under way (`writing`): any other change meanwhile
// is one the conditional write refuses (409), and the reconcile is then retried and reads it. Not
// so for a Deployment: its own controller writes its status while a scale is under way.
import type { KubernetesObject } from '@kubernetes/client-node';

/** Versions written and not yet seen echoed, at most this many (the oldest are forgotten first). */
const echoesKept = 20_000;

export class Echoes {
  /** key → the resourceVersion (or "deleted") of this process's last write whose echo is still due. */
  readonly #due = new Map<string, string>();
  /** Writes under way, by key. */
  readonly #writing = new Map<string, number>();

  /** A write of `key` starts; call the answer when it is done or failed. */
  writing(key: string): () => void {
    this.#writing.set(key, (this.#writing.get(key) ?? 0) + 1);
    return () => {
      const left = (this.#writing.get(key) ?? 1) - 1;
      if (left > 0) this.#writing.set(key, left);
      else this.#writing.delete(key);
    };
  }

  /** A write of `key` returned `object` (null: deleted it); a version of undefined expects nothing. */
  wrote(key: string, object: KubernetesObject | null | undefined): void {
    this.wroteVersion(key, object === null ? 'deleted' : object?.metadata?.resourceVersion);
  }

  /** A write of `key` left it at `version` ("deleted" after a delete). */
  wroteVersion(key: string, version: string | null | undefined): void {
    this.#due.delete(key);
    if (version === undefined || version === null) return;
    this.#due.set(key, version);
    if (this.#due.size > echoesKept) this.#due.delete(this.#due.keys().next().value as string);
  }

  /** True when this watch event of `key` is this process's own write coming back (its expected echo is then used up). */
  isEcho(key: string, object: KubernetesObject, event: 'add' | 'update' | 'delete'): boolean {
    if (this.#writing.has(key)) return true;
    const seen = event === 'delete' ? 'deleted' : object.metadata?.resourceVersion;
    if (seen === undefined || this.#due.get(key) !== seen) return false;
    this.#due.delete(key);
    return true;
  }
}
