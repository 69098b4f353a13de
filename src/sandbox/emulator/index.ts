// An in-process Kubernetes API server for tests, the sandbox and CI: real clients (kubectl,
// @kubernetes/client-node) talk to it over HTTP on 127.0.0.1. See docs/emulator.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startWorkloads, type Workloads } from '../workloads/index.ts';
import type { AuditRecord } from './access.ts';
import { Authenticator, adminUser, serviceAccountUser } from './authn.ts';
import { builtinResources } from './builtin-resources.ts';
import { selfSignedCertificate } from './certificate.ts';
import type { Cluster } from './cluster.ts';
import { serveCrds } from './crds.ts';
import { sweep } from './deletion.ts';
import { FaultInjector, type Faults } from './faults.ts';
import { listen } from './http-server.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { createObject } from './lifecycle.ts';
import type { UserInfo } from './rbac-rules.ts';
import { seedRbac } from './rbac-seed.ts';
import { ResourceRegistry } from './registry.ts';
import { ObjectStore } from './store.ts';
import { WatchHub } from './watch.ts';

export type { Faults, FaultMatch } from './faults.ts';
export type { Workloads, NeverReadyMatch } from '../workloads/index.ts';
export type { Verb, KubeObject } from './types.ts';
export type { AuditRecord } from './access.ts';
export type { UserInfo } from './rbac-rules.ts';
export { adminToken, adminUser, serviceAccountUser } from './authn.ts';

export interface EmulatorOptions {
  /** 0 / undefined = ephemeral; always binds 127.0.0.1. */
  port?: number;
  /** Simulated deployment controller: time for a new pod to become ready; 0 = immediately. */
  podReadyDelayMs?: number;
  /** Watch history kept for resuming watches; older resourceVersions get 410 Gone. Default 1000 events. */
  watchWindow?: number;
  logger?: { info(msg: string): void; warn(msg: string): void };
  /** Sees every resource request once authorization decided it (allowed or denied), in order. */
  audit?: (record: AuditRecord) => void;
}

export interface KubeconfigOptions {
  /** Context name; default `fledge-emulator`. */
  readonly context?: string;
  /** Point at `secureUrl` with the emulator's certificate as CA (kubectl needs it to send the token); default plain `url`. */
  readonly tls?: boolean;
}

export interface Emulator {
  /** Plain HTTP, e.g. http://127.0.0.1:43123 */
  readonly url: string;
  /** The same port over HTTPS, e.g. https://127.0.0.1:43123 */
  readonly secureUrl: string;
  /** PEM of the self-signed serving certificate (its own CA; SANs 127.0.0.1 and localhost). */
  readonly certificate: string;
  /** YAML kubeconfig: cluster at `url`, the cluster admin's token (group system:masters), namespace `default`. */
  kubeconfig(context?: string): string;
  /** A kubeconfig authenticating as `user`, with a token minted for it (the same for the same user); namespace `default`. */
  kubeconfigFor(user: UserInfo, options?: KubeconfigOptions): string;
  /**
   * As the ServiceAccount: user `system:serviceaccount:NS:NAME`, groups `system:serviceaccounts`,
   * `system:serviceaccounts:NS`, `system:authenticated`; context namespace NS. Its requests answer
   * 401 while the ServiceAccount object does not exist.
   */
  serviceAccountKubeconfig(namespace: string, name: string, options?: KubeconfigOptions): string;
  /** Writes `kubeconfig` (default: the admin's over HTTPS, for kubectl) with mode 0600, creating the directory. */
  writeKubeconfig(path: string, kubeconfig?: string): Promise<void>;
  readonly faults: Faults;
  /** Simulated deployment controller controls. */
  readonly workloads: Workloads;
  /** Closes the server, ends watches, stops timers. Idempotent. */
  stop(): Promise<void>;
}

const initialNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function createCluster(options: EmulatorOptions, sweeps: Set<NodeJS.Immediate>): Cluster {
  let ip = 10;
  const cluster: Cluster = {
    store: new ObjectStore(options.watchWindow ?? 1000),
    registry: new ResourceRegistry(builtinResources()),
    now: () => Date.now(),
    defaults: { nextClusterIp: () => `10.96.${Math.floor((ip += 1) / 250) % 250}.${(ip % 250) + 1}` },
    scheduleSweep: () => {
      const handle = setImmediate(() => {
        sweeps.delete(handle);
        sweep(cluster);
      });
      sweeps.add(handle);
    },
  };
  return cluster;
}

function seedNamespaces(cluster: Cluster): void {
  const type = cluster.registry.byKey('/namespaces');
  if (type === undefined) return;
  for (const name of initialNamespaces) {
    createObject(cluster, { type, version: 'v1', namespace: undefined }, { metadata: { name } });
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const sweeps = new Set<NodeJS.Immediate>();
  const cluster = createCluster(options, sweeps);
  const stopCrds = serveCrds(cluster);
  seedNamespaces(cluster);
  seedRbac(cluster);
  const authenticator = new Authenticator(cluster.store);
  const access = { authenticator, store: cluster.store, ...(options.audit === undefined ? {} : { audit: options.audit }) };
  const watches = new WatchHub(cluster.store, 1000);
  const faults = new FaultInjector(() => watches.closeAll());
  const workloads = startWorkloads(cluster, options.podReadyDelayMs ?? 0);
  let address = '127.0.0.1';
  const warn = (msg: string): void => options.logger?.warn(msg);
  const certificate = selfSignedCertificate();
  const running = await listen({ cluster, watches, faults, access, serverAddress: () => address }, { port: options.port ?? 0, certificate }, warn);
  address = `127.0.0.1:${running.port}`;
  const url = `http://${address}`;
  const secureUrl = `https://${address}`;
  options.logger?.info(`Kubernetes API emulator listening on ${url}`);
  let stopping: Promise<void> | undefined;
  const kubeconfigFor = (user: UserInfo, given: KubeconfigOptions = {}, namespace = 'default'): string => {
    const server = given.tls === true ? { server: secureUrl, certificate: certificate.cert } : { server: url };
    const credentials = { user: user === adminUser ? 'fledge-emulator' : user.name, token: authenticator.tokenFor(user), namespace };
    return kubeconfigYaml(server, given.context, credentials);
  };
  return {
    url,
    secureUrl,
    certificate: certificate.cert,
    faults,
    workloads,
    kubeconfig: (context) => kubeconfigYaml({ server: url }, context),
    kubeconfigFor: (user, given) => kubeconfigFor(user, given),
    serviceAccountKubeconfig: (namespace, name, given) => kubeconfigFor(serviceAccountUser(namespace, name), given, namespace),
    writeKubeconfig: async (path, kubeconfig) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig ?? kubeconfigFor(adminUser, { tls: true }), { mode: 0o600 });
    },
    stop: () => {
      stopping ??= (async () => {
        workloads.stop();
        stopCrds();
        sweeps.forEach((handle) => clearImmediate(handle));
        watches.closeAll();
        await running.close();
      })();
      return stopping;
    },
  };
}
