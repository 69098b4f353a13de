// The in-memory cluster's controllers. The deployment controller: after a Deployment changes, writes the status
// a real one reaches once its pods are up (the emulator's with podReadyDelayMs 0), on the next
// turn of the event loop — never within the write, so a caller cannot see it early. Pods of a
// template matching a neverReady rule stay unready, as in the emulator. The garbage collector
// removes objects whose owners are all gone, at the same turn.
import type { KubeObject } from '../../sandbox/emulator/types.ts';
import type { MemoryStore } from './store.ts';

export interface NeverReadyMatch {
  readonly namespace?: string;
  /** Exact image of any container in the pod template. */
  readonly image?: string;
  readonly deployment?: string;
}

interface Template {
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } };
}

function images(deployment: KubeObject): string[] {
  const containers = (deployment as Template).spec?.template?.spec?.containers ?? [];
  return containers.map((c) => c.image ?? '');
}

function condition(type: string, ready: boolean, reason: string): Record<string, string> {
  return { type, status: ready ? 'True' : 'False', reason, message: reason };
}

export class MemoryWorkloads {
  readonly #store: MemoryStore;
  readonly #rules: NeverReadyMatch[] = [];
  readonly #dirty = new Set<string>();
  #pending: NodeJS.Immediate | undefined;

  constructor(store: MemoryStore) {
    this.#store = store;
    store.onWrite((plural, object, deleted) => {
      if (plural === 'deployments' && !deleted) this.#dirty.add(`${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`);
      // A delete may leave dependents to collect; a dependent may be created without its owner.
      this.#pending ??= setImmediate(() => this.settle());
    });
  }

  /** Pods of matching Deployments never become ready (also those already running, at the next change). */
  neverReady(match: NeverReadyMatch): void {
    this.#rules.push(match);
  }

  /** Writes every changed Deployment's status now (also collects garbage, as the cluster would by then). */
  settle(): void {
    if (this.#pending !== undefined) clearImmediate(this.#pending);
    this.#pending = undefined;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    for (const key of keys) {
      const [namespace = '', name = ''] = key.split('/');
      const deployment = this.#store.peek('deployments', namespace, name);
      if (deployment !== null) this.#store.writeStatus('deployments', namespace, name, this.#statusOf(deployment));
    }
    this.#store.collect();
  }

  #matches(deployment: KubeObject): boolean {
    const running = images(deployment);
    return this.#rules.some((r) => (r.namespace === undefined || r.namespace === deployment.metadata.namespace)
      && (r.deployment === undefined || r.deployment === deployment.metadata.name)
      && (r.image === undefined || running.includes(r.image)));
  }

  #statusOf(deployment: KubeObject): Record<string, unknown> {
    const replicas = (deployment as Template).spec?.replicas ?? 1;
    const ready = this.#matches(deployment) ? 0 : replicas;
    const status: Record<string, unknown> = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: replicas - ready,
      conditions: [
        condition('Available', ready >= replicas, ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable'),
        condition('Progressing', true, ready >= replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated'),
      ],
    };
    // The API server drops zero counts (omitempty).
    return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== 0));
  }
}
