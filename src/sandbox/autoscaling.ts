// The autoscaled scenario's parts: the app's HorizontalPodAutoscaler (created as a user would)
// and the simulated autoscaler (autoscaler.ts) acting every second on the load each Deployment
// served since its last pass — the primary's and the canary's shares of the traffic.
import { AppsV1Api, AutoscalingV2Api, type KubeConfig } from '@kubernetes/client-node';
import { apiAutoscalerCluster, createAutoscaler } from './autoscaler.ts';
import type { Scenario } from './scenarios.ts';
import type { Traffic } from './traffic.ts';

/** What the autoscaled scenario's app runs with. */
export interface Autoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization, percent. */
  readonly targetUtilization: number;
  /** Requests per second one pod serves at 100% CPU. */
  readonly perPodRps: number;
  /** The load steps up to `rps` this long after the sandbox starts (a busier hour during the release). */
  readonly surge: { readonly afterMs: number; readonly rps: number };
}

export interface RunningAutoscaler {
  /** The primary's replicas and its HPA's desiredReplicas now, for the summary. */
  report(): Promise<{ primaryReplicas: number; desired: number } | null>;
  stop(): void;
}

/** Requests per second each Deployment served since the previous call (from the traffic's counters); null at the first. */
function servedRates(traffic: Traffic): (namespace: string, deployment: string) => number | null {
  const previous = new Map<string, { requests: number; at: number }>();
  return (namespace, deployment) => {
    const id = `${namespace}/${deployment}`;
    const requests = traffic.served().get(id)?.requests ?? 0;
    const at = Date.now();
    const before = previous.get(id);
    previous.set(id, { requests, at });
    if (before === undefined || at <= before.at) return null;
    return ((requests - before.requests) * 1000) / (at - before.at);
  };
}

/** Creates the app's HPA and runs the autoscaler every second until stopped. */
export async function startAutoscaling(input: { kubeConfig: KubeConfig; scenario: Scenario; autoscaling: Autoscaling; traffic: Traffic }): Promise<RunningAutoscaler> {
  const { kubeConfig, scenario, autoscaling } = input;
  const api = kubeConfig.makeApiClient(AutoscalingV2Api);
  await api.createNamespacedHorizontalPodAutoscaler({
    namespace: scenario.namespace,
    body: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: scenario.app, namespace: scenario.namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: scenario.app },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetUtilization } } }],
      },
    },
  });
  const autoscaler = createAutoscaler({ cluster: apiAutoscalerCluster(kubeConfig), load: servedRates(input.traffic), perPodRps: autoscaling.perPodRps, now: Date.now });
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void autoscaler.step().catch(() => []).finally(() => {
      busy = false;
    });
  }, 1000);
  return {
    report: async () => {
      const primary = `${scenario.app}-primary`;
      const deployment = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: scenario.namespace, name: primary }).catch(() => null);
      const hpa = await api.readNamespacedHorizontalPodAutoscaler({ namespace: scenario.namespace, name: primary }).catch(() => null);
      if (deployment === null || hpa === null) return null;
      return { primaryReplicas: deployment.spec?.replicas ?? 0, desired: hpa.status?.desiredReplicas ?? 0 };
    },
    stop: () => clearInterval(timer),
  };
}
