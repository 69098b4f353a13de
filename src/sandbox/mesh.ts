// The simulated mesh: reads each app's TrafficSplit — or with the gateway-api router its HTTPRoute,
// whose status it writes as an implementation does — (or, before there is one, its apex Service)
// from the API and the ready pods behind every backend Service, polling through client-node.
// The traffic generator asks it for the current routes on every tick; a failed poll keeps the
// last routes (a mesh keeps routing when its control plane blips).
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { backendsFor, meshParent, reportedOn } from './http-route-table.ts';
import { parentsStatus } from './route-status.ts';
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

/** Requests that carry headers (an A/B scenario's testers) and their share of the app's requests. */
export interface TaggedRequests {
  readonly headers: Readonly<Record<string, string>>;
  readonly share: number;
}

interface Table {
  readonly plain: { service: string; weight: number }[];
  readonly tagged?: { service: string; weight: number }[];
}

const routeGvp = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };

/** As an implementation: the app's HTTPRoute (parented by its Service) decides, and is reported Accepted for its generation. */
async function routeBackends(cluster: Cluster, ref: AppRef, tagged: TaggedRequests | undefined): Promise<Table> {
  const apex = { plain: [{ service: ref.app, weight: 100 }] };
  let route: { metadata?: { generation?: number; name?: string }; spec?: { parentRefs?: unknown }; status?: unknown };
  try {
    route = (await cluster.custom.getNamespacedCustomObject({ ...routeGvp, namespace: ref.namespace, name: ref.app })) as typeof route;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return apex;
    throw error;
  }
  if (!meshParent(route, ref.app)) return apex;
  if (!reportedOn(route)) {
    const body = { ...route, status: parentsStatus(route, { accepted: true, now: Date.now() }) };
    await cluster.custom.replaceNamespacedCustomObjectStatus({ ...routeGvp, namespace: ref.namespace, name: ref.app, body });
  }
  return { plain: backendsFor(route, {}), ...(tagged === undefined ? {} : { tagged: backendsFor(route, tagged.headers) }) };
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

async function tableOf(cluster: Cluster, ref: AppRef, options: Pick<MeshOptions, 'router' | 'tagged'>): Promise<Table> {
  if (options.router === 'gateway-api') return routeBackends(cluster, ref, options.tagged);
  return { plain: await splitBackends(cluster, ref) };
}

async function readRoutes(cluster: Cluster, options: MeshOptions): Promise<{ routes: Route[]; pods: Set<string> }> {
  const { apps } = options;
  const namespaces = [...new Set(apps.map((ref) => ref.namespace))];
  const worlds = new Map(await Promise.all(namespaces.map(async (namespace) => [namespace, await readNamespace(cluster, namespace)] as const)));
  const routes = await Promise.all(apps.map(async (ref): Promise<Route> => {
    const world = worlds.get(ref.namespace) ?? { pods: [], deployments: [], selectors: new Map() };
    const table = await tableOf(cluster, ref, options);
    const backends = table.plain.map(({ service, weight }) => backendOf(world, service, weight));
    const share = options.tagged?.share ?? 0;
    if (table.tagged === undefined || share <= 0) return { ...ref, backends };
    return { ...ref, backends, matched: { share, backends: table.tagged.map(({ service, weight }) => backendOf(world, service, weight)) } };
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
  /** What routes the apps: their TrafficSplits (default) or their HTTPRoutes. */
  readonly router?: 'smi' | 'gateway-api';
  /** Requests that carry headers (A/B testers): routed by the rule they match. */
  readonly tagged?: TaggedRequests;
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
      const read = await readRoutes(cluster, options);
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
