// An in-process Kubernetes API server for tests, the sandbox and CI: real clients (kubectl,
// @kubernetes/client-node) talk to it over HTTP on 127.0.0.1. See docs/emulator.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startWorkloads, type Workloads } from '../workloads/index.ts';
import { builtinResources } from './builtin-resources.ts';
import type { Cluster } from './cluster.ts';
import { serveCrds } from './crds.ts';
import { sweep } from './deletion.ts';
import { FaultInjector, type Faults } from './faults.ts';
import { close, listen } from './http-server.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { createObject } from './lifecycle.ts';
import { ResourceRegistry } from './registry.ts';
import { ObjectStore } from './store.ts';
import { WatchHub } from './watch.ts';

export type { Faults, FaultMatch } from './faults.ts';
export type { Workloads, NeverReadyMatch } from '../workloads/index.ts';
export type { Verb, KubeObject } from './types.ts';

export interface EmulatorOptions {
  /** 0 / undefined = ephemeral; always binds 127.0.0.1. */
  port?: number;
  /** Simulated deployment controller: time for a new pod to become ready; 0 = immediately. */
  podReadyDelayMs?: number;
  /** Watch history kept for resuming watches; older resourceVersions get 410 Gone. Default 1000 events. */
  watchWindow?: number;
  logger?: { info(msg: string): void; warn(msg: string): void };
}

export interface Emulator {
  /** e.g. http://127.0.0.1:43123 */
  readonly url: string;
  /** YAML kubeconfig: cluster at `url`, a dummy token, namespace `default`. */
  kubeconfig(context?: string): string;
  writeKubeconfig(path: string): Promise<void>;
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
  const watches = new WatchHub(cluster.store, 1000);
  const faults = new FaultInjector(() => watches.closeAll());
  const workloads = startWorkloads(cluster, options.podReadyDelayMs ?? 0);
  let address = '127.0.0.1';
  const warn = (msg: string): void => options.logger?.warn(msg);
  const running = await listen({ cluster, watches, faults, serverAddress: () => address }, options.port ?? 0, warn);
  address = `127.0.0.1:${running.port}`;
  const url = `http://${address}`;
  options.logger?.info(`Kubernetes API emulator listening on ${url}`);
  let stopping: Promise<void> | undefined;
  return {
    url,
    faults,
    workloads,
    kubeconfig: (context) => kubeconfigYaml(url, context),
    writeKubeconfig: async (path) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfigYaml(url), { mode: 0o600 });
    },
    stop: () => {
      stopping ??= (async () => {
        workloads.stop();
        stopCrds();
        sweeps.forEach((handle) => clearImmediate(handle));
        watches.closeAll();
        await close(running.server);
      })();
      return stopping;
    },
  };
}
