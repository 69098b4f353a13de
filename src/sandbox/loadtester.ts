// The sandbox's `fledge loadtester`: the real service on 127.0.0.1, whose driver adds simulated
// users to the traffic generator instead of sending HTTP (the sandbox's pods are simulated too).
// The rollout hook calls it each interval; the load goes through the mesh like real users'.
import type { AddressInfo } from 'node:net';
import { LoadJobs, type LoadDriver } from '../loadtester/jobs.ts';
import { createLoadTesterServer } from '../loadtester/server.ts';
import type { Scenario } from './scenarios.ts';

export interface SandboxLoadTester {
  /** Annotations that make the app's rollout hook call it. */
  readonly annotations: Readonly<Record<string, string>>;
  /** For the controller's --webhook-allow. */
  readonly allow: string;
  /** Generated requests per second now. */
  readonly rps: () => number;
  readonly stop: () => Promise<void>;
}

/** The app's Service URL, as a hook names it. */
export function serviceUrl(scenario: Scenario): string {
  return `http://${scenario.app}.${scenario.namespace}.svc:9898/`;
}

/** The hook-rollout annotation for a loadtester at `base`. */
export function rolloutHook(base: string, scenario: Scenario, rate: number): Record<string, string> {
  return { 'fledge.dev/hook-rollout': `${base}/load?target=${encodeURIComponent(serviceUrl(scenario))}&rate=${rate}` };
}

export async function startSandboxLoadTester(scenario: Scenario, rate: number): Promise<SandboxLoadTester> {
  const active = new Set<{ rate: number }>();
  const driver: LoadDriver = {
    start: (job) => {
      const entry = { rate: job.rate };
      active.add(entry);
      return { stop: () => active.delete(entry) };
    },
  };
  const jobs = new LoadJobs(driver);
  const server = createLoadTesterServer({ jobs, allow: [serviceUrl(scenario)] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    annotations: rolloutHook(base, scenario, rate),
    allow: `${base}/`,
    rps: () => [...active].reduce((sum, entry) => sum + entry.rate, 0),
    stop: async () => {
      jobs.stopAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
