// Samples every TrafficSplit and Deployment change in a namespace through watches and checks the
// cut-over rule on the merged history: weights sum to 100, and a backend with weight > 0 has
// ready pods. The API server's resourceVersion orders all changes, so the check replays them
// in that order (two watches alone could deliver them interleaved differently).
import { AppsV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';

interface Change {
  readonly rv: number;
  readonly kind: 'split' | 'deployment';
  readonly name: string;
  /** split: weight per backend service; deployment: ready replicas (0 when deleted). */
  readonly weights?: ReadonlyArray<readonly [string, number]>;
  readonly ready?: number;
}

export interface CutoverReport {
  /** Changes seen (after de-duplication by resourceVersion). */
  readonly changes: number;
  /** Split states with a different canary weight than the one before. */
  readonly weightChanges: number;
  readonly violations: readonly string[];
}

export interface CutoverSampler {
  stop(): Promise<CutoverReport>;
}

interface Raw { metadata?: { name?: string; resourceVersion?: string }; spec?: { backends?: Array<{ service: string; weight: number | string }> }; status?: { readyReplicas?: number } }

function toChange(kind: Change['kind'], object: Raw, deleted: boolean): Change {
  const rv = Number(object.metadata?.resourceVersion ?? 0);
  const name = object.metadata?.name ?? '';
  if (kind === 'split') return { rv, kind, name, weights: deleted ? [] : (object.spec?.backends ?? []).map((b) => [b.service, Number(b.weight)] as const) };
  return { rv, kind, name, ready: deleted ? 0 : (object.status?.readyReplicas ?? 0) };
}

/** The Deployment that serves a backend Service: `x-primary` → `x-primary`, `x-canary` → `x`. */
function deploymentOf(service: string): string {
  return service.endsWith('-canary') ? service.slice(0, -'-canary'.length) : service;
}

function replay(changes: readonly Change[]): CutoverReport {
  const ordered = [...new Map(changes.map((c) => [`${c.kind}/${c.name}/${c.rv}`, c])).values()].sort((a, b) => a.rv - b.rv);
  const splits = new Map<string, ReadonlyArray<readonly [string, number]>>();
  const ready = new Map<string, number>();
  const violations: string[] = [];
  let weightChanges = 0;
  const check = (app: string, rv: number): void => {
    const backends = splits.get(app);
    if (backends === undefined || backends.length === 0) return;
    const sum = backends.reduce((total, [, weight]) => total + weight, 0);
    if (sum !== 100) violations.push(`rv ${rv}: split ${app} weights sum to ${sum}`);
    for (const [service, weight] of backends) {
      const deployment = deploymentOf(service);
      if (weight > 0 && (ready.get(deployment) ?? 0) === 0) violations.push(`rv ${rv}: split ${app} sends ${weight}% to ${service}, but ${deployment} has no ready pods`);
    }
  };
  for (const change of ordered) {
    if (change.kind === 'split') {
      const canaryWeight = (weights: ReadonlyArray<readonly [string, number]> | undefined): number | undefined => weights?.find(([s]) => s.endsWith('-canary'))?.[1];
      if (canaryWeight(splits.get(change.name)) !== canaryWeight(change.weights)) weightChanges += 1;
      splits.set(change.name, change.weights ?? []);
      check(change.name, change.rv);
    } else {
      ready.set(change.name, change.ready ?? 0);
      check(change.name.endsWith('-primary') ? change.name.slice(0, -'-primary'.length) : change.name, change.rv);
    }
  }
  return { changes: ordered.length, weightChanges, violations };
}

interface Follower { stop(): void }

/** List, then watch from the list's resourceVersion; re-watch when a watch ends, re-list on 410. */
function follow(kc: KubeConfig, input: { path: string; list: () => Promise<{ items: Raw[]; rv: string }>; onChange: (object: Raw, deleted: boolean) => void }): Follower {
  const watch = new Watch(kc);
  let rv = '';
  let stopped = false;
  let abort: AbortController | null = null;
  const restart = (): void => {
    if (!stopped) setTimeout(() => void start(), 50);
  };
  const start = async (): Promise<void> => {
    try {
      if (rv === '') {
        const listed = await input.list();
        for (const item of listed.items) input.onChange(item, false);
        rv = listed.rv;
      }
      abort = await watch.watch(input.path, { resourceVersion: rv, allowWatchBookmarks: true }, (type: string, object: Raw & { code?: number }) => {
        if (type === 'ERROR') {
          if (object.code === 410) rv = '';
          return;
        }
        rv = object.metadata?.resourceVersion ?? rv;
        if (type !== 'BOOKMARK') input.onChange(object, type === 'DELETED');
      }, () => restart());
    } catch {
      restart();
    }
  };
  void start();
  return {
    stop: () => {
      stopped = true;
      abort?.abort();
    },
  };
}

export function sampleCutovers(kc: KubeConfig, namespace: string): CutoverSampler {
  const changes: Change[] = [];
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const splitGvr = { group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace };
  const followers = [
    follow(kc, {
      path: `/apis/split.smi-spec.io/v1alpha2/namespaces/${namespace}/trafficsplits`,
      list: async () => {
        const list = (await custom.listNamespacedCustomObject(splitGvr)) as { items: Raw[]; metadata?: { resourceVersion?: string } };
        return { items: list.items, rv: list.metadata?.resourceVersion ?? '' };
      },
      onChange: (object, deleted) => changes.push(toChange('split', object, deleted)),
    }),
    follow(kc, {
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      list: async () => {
        const list = await apps.listNamespacedDeployment({ namespace });
        return { items: list.items as Raw[], rv: list.metadata?.resourceVersion ?? '' };
      },
      onChange: (object, deleted) => changes.push(toChange('deployment', object, deleted)),
    }),
  ];
  return {
    stop: async () => {
      // Let the last changes arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const follower of followers) follower.stop();
      return replay(changes);
    },
  };
}
