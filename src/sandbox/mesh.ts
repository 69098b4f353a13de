// The simulated mesh: reads each app's TrafficSplit (or, before there is one, its apex Service)
// from the API and the ready pods behind every backend Service, polling through client-node.
// The traffic generator asks it for the current routes on every tick; a failed poll keeps the
// last routes (a mesh keeps routing when its control plane blips).
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { parseWeight, type Backend, type PodInfo, type Route } from './routes.ts';

export interface AppRef {
  readonly namespace: string;
  readonly app: string;
}

export interface Mesh {
  /** The routes as of the last successful poll (an app without any Service has no backends). */
  routes(): readonly Route[];
  /** Names (`namespace/pod`) of every pod seen, ready or not: their metrics series stay alive. */
  pods(): ReadonlySet<string>;
  /** Polls once now (tests call it to avoid waiting for the timer). */
  refresh(): Promise<void>;
  stop(): void;
}

interface SplitBackend {
  readonly service?: unknown;
  readonly weight?: unknown;
}

interface Cluster {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
}

function isReady(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp === undefined
    && (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

function matches(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((key) => labels[key] === selector[key]);
}

async function splitBackends(cluster: Cluster, ref: AppRef): Promise<{ service: string; weight: number }[]> {
  try {
    const split = (await cluster.custom.getNamespacedCustomObject({
      group: 'split.smi-spec.io', version: 'v1alpha2', namespace: ref.namespace, plural: 'trafficsplits', name: ref.app,
    })) as { spec?: { backends?: SplitBackend[] } };
    return (split.spec?.backends ?? []).map((backend) => ({ service: String(backend.service), weight: parseWeight(backend.weight) }));
  } catch (error) {
    if ((error as { code?: number }).code === 404) return [{ service: ref.app, weight: 100 }];
    throw error;
  }
}

interface World {
  readonly pods: readonly V1Pod[];
  readonly deployments: readonly V1Deployment[];
  readonly selectors: ReadonlyMap<string, Record<string, string>>;
}

function backendOf(world: World, service: string, weight: number): Backend {
  const selector = world.selectors.get(service) ?? {};
  const pods = world.pods.filter((pod) => matches(pod.metadata?.labels ?? {}, selector));
  const owner = world.deployments.find((deployment) => pods.some((pod) => matches(pod.metadata?.labels ?? {}, deployment.spec?.selector.matchLabels ?? {})));
  const ready: PodInfo[] = pods.filter(isReady).map((pod) => ({
    name: pod.metadata?.name ?? '',
    image: pod.spec?.containers[0]?.image ?? '',
  }));
  return { deployment: owner?.metadata?.name ?? service, weight, pods: ready };
}

async function readNamespace(cluster: Cluster, namespace: string): Promise<World> {
  const [pods, deployments, services] = await Promise.all([
    cluster.core.listNamespacedPod({ namespace }),
    cluster.apps.listNamespacedDeployment({ namespace }),
    cluster.core.listNamespacedService({ namespace }),
  ]);
  const selectors = new Map(services.items.map((service) => [service.metadata?.name ?? '', service.spec?.selector ?? {}]));
  return { pods: pods.items, deployments: deployments.items, selectors };
}

async function readRoutes(cluster: Cluster, apps: readonly AppRef[]): Promise<{ routes: Route[]; pods: Set<string> }> {
  const namespaces = [...new Set(apps.map((ref) => ref.namespace))];
  const worlds = new Map(await Promise.all(namespaces.map(async (namespace) => [namespace, await readNamespace(cluster, namespace)] as const)));
  const routes = await Promise.all(apps.map(async (ref): Promise<Route> => {
    const world = worlds.get(ref.namespace) ?? { pods: [], deployments: [], selectors: new Map() };
    const backends = (await splitBackends(cluster, ref)).map(({ service, weight }) => backendOf(world, service, weight));
    return { ...ref, backends };
  }));
  const pods = new Set([...worlds].flatMap(([namespace, world]) => world.pods.map((pod) => `${namespace}/${pod.metadata?.name ?? ''}`)));
  return { routes, pods };
}

export interface MeshOptions {
  readonly kubeConfig: KubeConfig;
  readonly apps: readonly AppRef[];
  /** How often the API is polled. Default 250 ms. */
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** Starts polling at once; `refresh()` resolves after a poll. */
export function startMesh(options: MeshOptions): Mesh {
  const cluster: Cluster = {
    core: options.kubeConfig.makeApiClient(CoreV1Api),
    apps: options.kubeConfig.makeApiClient(AppsV1Api),
    custom: options.kubeConfig.makeApiClient(CustomObjectsApi),
  };
  let current: Route[] = options.apps.map((ref) => ({ ...ref, backends: [] }));
  let pods = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const refresh = async (): Promise<void> => {
    try {
      const read = await readRoutes(cluster, options.apps);
      current = read.routes;
      pods = read.pods;
    } catch (error) {
      options.onError?.(error);
    }
  };
  const loop = (): void => {
    void refresh().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.pollMs ?? 250);
    });
  };
  loop();

  return {
    routes: () => current,
    pods: () => pods,
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
