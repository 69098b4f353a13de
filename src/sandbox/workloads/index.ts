// Simulated workloads behind the emulator: Deployments get pods that become ready (or not).
import type { Cluster } from '../emulator/cluster.ts';
import { DeploymentController, type NeverReadyMatch } from './deployment-controller.ts';

export type { NeverReadyMatch } from './deployment-controller.ts';
export { templateHash } from './deployment-controller.ts';

/** Controls of the simulated deployment controller. */
export interface Workloads {
  /** Pods of Deployments whose pod template matches never become ready (crash loop). Rules add up. */
  neverReady(match: NeverReadyMatch): void;
  /** Time for a new pod to become ready from now on; 0 = ready when created. */
  setPodReadyDelay(ms: number): void;
}

export interface RunningWorkloads extends Workloads {
  /** Clears every timer and stops reacting to changes. */
  stop(): void;
}

export function startWorkloads(cluster: Cluster, podReadyDelayMs: number): RunningWorkloads {
  const controller = new DeploymentController(cluster, podReadyDelayMs);
  return {
    neverReady: (match) => controller.neverReady(match),
    setPodReadyDelay: (ms) => controller.setPodReadyDelay(ms),
    stop: () => controller.stop(),
  };
}
