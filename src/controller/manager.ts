// The composition root of a running controller: it owns the probes (/healthz, /readyz,
// /metrics), leader election on a Lease, the controller (its watches, caches and work queue) and
// shutdown through an AbortSignal. `fledge controller` only turns flags into ManagerOptions.
import type { Logger } from 'pino';
import type { KubeConfig } from '@kubernetes/client-node';
import { createController, type Controller, type ControllerOptions } from './controller.ts';
import type { ElectionState } from './http-server.ts';
import { LeaderElector } from './leader-election.ts';
import { startProbes, telemetryOf, type Probes } from './probes.ts';

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** What the controller needs besides the cluster, the log, telemetry and the leadership gate. */
  readonly controller: Omit<ControllerOptions, 'kubeConfig' | 'log' | 'telemetry' | 'mayAct'>;
  readonly probes: { readonly healthAddr: string; readonly metricsAddr: string };
  /** Lead through the Lease `namespace/name` as `identity`; null: this replica always acts. */
  readonly leaderElection: { readonly namespace: string; readonly name: string; readonly identity: string } | null;
  readonly log: Logger;
  /** Aborting stops the manager cleanly (SIGTERM, SIGINT). */
  readonly signal: AbortSignal;
  /** Runs last, after the controller stopped (e.g. flushing notifications). */
  readonly close?: () => Promise<void>;
}

/** Why the manager returned: asked to stop, lost the lease (restart as a follower), or could not start. */
export type ManagerExit = 'stopped' | 'lost-lease' | 'start-failed';

interface Running {
  election: ElectionState;
  controller: Controller | null;
  /** Without leader election always; with it, only while the lease is fresh. */
  mayAct: () => boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Leads (or not), starts the controller, and resolves with why it ended. */
function lead(options: ManagerOptions, input: { running: Running; probes: Probes; stopping: Array<() => Promise<void>> }): Promise<ManagerExit> {
  const { running, probes, stopping } = input;
  const { log } = options;
  const leading = (yes: boolean): void => {
    probes.metrics.setLeader(yes);
    if (running.election !== 'disabled') running.election = yes ? 'leading' : 'stopped';
  };
  return new Promise<ManagerExit>((resolve) => {
    const onAbort = (): void => resolve('stopped');
    options.signal.addEventListener('abort', onAbort, { once: true });
    stopping.push(() => Promise.resolve(options.signal.removeEventListener('abort', onAbort)));
    if (options.signal.aborted) return resolve('stopped');
    const begin = (): void => {
      leading(true);
      running.controller?.start().catch((error: unknown) => {
        log.error({ err: errorText(error) }, 'controller failed to start');
        resolve('start-failed');
      });
    };
    const election = options.leaderElection;
    if (election === null) return begin();
    const elector = new LeaderElector({
      kc: options.kubeConfig,
      ...election,
      onStartedLeading: () => {
        log.info('leading');
        begin();
      },
      onStoppedLeading: () => {
        log.warn('lost the lease; stopping');
        leading(false);
        resolve('lost-lease');
      },
      onError: (error) => log.warn({ code: error.code, err: error.message }, 'lease attempt failed'),
    });
    running.mayAct = () => elector.mayAct();
    elector.start();
    stopping.push(() => elector.release());
  });
}

/** Runs probes, leader election and the controller until the signal aborts or the lease is lost. */
export async function runManager(options: ManagerOptions): Promise<ManagerExit> {
  const running: Running = { election: options.leaderElection === null ? 'disabled' : 'standby', controller: null, mayAct: () => options.leaderElection === null };
  const probes = await startProbes({
    ...options.probes,
    readiness: () => ({ cachesSynced: running.controller?.synced ?? false, election: running.election }),
  });
  running.controller = await createController({
    ...options.controller,
    kubeConfig: options.kubeConfig,
    log: options.log,
    telemetry: telemetryOf(probes.metrics),
    mayAct: () => running.mayAct(),
    ...(options.leaderElection === null ? {} : { identity: options.leaderElection.identity }),
  });
  const election = options.leaderElection;
  options.log.info({ health: probes.health, metrics: probes.metricsUrl, namespace: options.controller.namespace ?? 'all', leaderElect: election !== null }, 'fledge controller starting');
  const stopping: Array<() => Promise<void>> = [];
  const exit = await lead(options, { running, probes, stopping });
  options.log.info('fledge controller stopping');
  await running.controller.stop();
  for (const stop of stopping.splice(0)) await stop();
  await options.close?.();
  await probes.close();
  return exit;
}
