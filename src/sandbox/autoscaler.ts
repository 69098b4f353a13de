// A simple horizontal pod autoscaler for the sandbox and tests, acting like Kubernetes' HPA
// controller on a scripted load: each step it sizes every HPA's target Deployment to
// ceil(load / per-pod target), within minReplicas and maxReplicas, writes the HPA's status
// (currentReplicas, desiredReplicas, currentMetrics, conditions) and scales the target through
// /scale. Like the real controller (with HPAScaleToZero off) it never scales a target that is at
// zero replicas: it says so in the status (`ScalingActive=False`, `ScalingDisabled`). No
// stabilization windows or rate limits: a step goes straight to the size the load asks for.
import { AppsV1Api, AutoscalingV2Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V2HorizontalPodAutoscaler, V2HorizontalPodAutoscalerStatus } from '@kubernetes/client-node';

/** What a load of `rps` asks of an HPA whose target runs `replicas` pods. Pure. */
export interface Sizing {
  /** The size the HPA decides; equals `replicas` when scaling is disabled (target at zero). */
  readonly desired: number;
  /** Average utilization of the target's pods, in percent (0 at zero replicas). */
  readonly utilization: number;
  readonly active: boolean;
}

/**
 * `perPodRps`: the requests per second one pod serves at 100% of its CPU request; the HPA's
 * target utilization (its first Resource metric, 80% by default) scales it down.
 */
/** The first Resource metric's target utilization (the emulator defaults an HPA to CPU at 80%). */
function targetUtilization(hpa: V2HorizontalPodAutoscaler): number {
  return hpa.spec?.metrics?.find((m) => m.type === 'Resource')?.resource?.target.averageUtilization ?? 80;
}

export function sizeFor(input: { hpa: V2HorizontalPodAutoscaler; replicas: number; rps: number; perPodRps: number }): Sizing {
  const { hpa, replicas, rps, perPodRps } = input;
  if (replicas === 0) return { desired: 0, utilization: 0, active: false };
  const perPodTarget = (perPodRps * targetUtilization(hpa)) / 100;
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? min;
  const wanted = Math.ceil(rps / perPodTarget);
  return { desired: Math.min(max, Math.max(min, wanted)), utilization: Math.round((rps / (replicas * perPodRps)) * 100), active: true };
}

/** The status the real controller would write for that decision. */
export function statusFor(sizing: Sizing, input: { replicas: number; now: number; previous: V2HorizontalPodAutoscalerStatus | undefined }): V2HorizontalPodAutoscalerStatus {
  const at = new Date(input.now);
  const condition = sizing.active
    ? { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' }
    : { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' };
  const scaled = sizing.active && sizing.desired !== input.replicas;
  return {
    currentReplicas: input.replicas,
    desiredReplicas: sizing.desired,
    ...(scaled ? { lastScaleTime: at } : input.previous?.lastScaleTime === undefined ? {} : { lastScaleTime: input.previous.lastScaleTime }),
    currentMetrics: sizing.active ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: sizing.utilization } } }] : [],
    conditions: [{ ...condition, lastTransitionTime: at }],
  };
}

/** What the autoscaler reads and writes; over the API (below) or the in-memory cluster (tests). */
export interface AutoscalerCluster {
  listHpas(): Promise<V2HorizontalPodAutoscaler[]>;
  /** The Deployment's spec.replicas, or null when it does not exist. */
  replicasOf(namespace: string, name: string): Promise<number | null>;
  scale(namespace: string, name: string, replicas: number): Promise<void>;
  writeStatus(hpa: V2HorizontalPodAutoscaler, status: V2HorizontalPodAutoscalerStatus): Promise<void>;
}

export interface Autoscaler {
  /** One pass over every HPA; returns what it did, one line per HPA (`namespace/name: 2 → 4`). */
  step(): Promise<string[]>;
}

export interface AutoscalerOptions {
  readonly cluster: AutoscalerCluster;
  /** Requests per second the Deployment's pods receive now; null while not measured yet (its HPA waits, like one without metrics). */
  readonly load: (namespace: string, deployment: string) => number | null;
  readonly perPodRps: number;
  readonly now: () => number;
}

/** The HPA's namespace, `namespace/name` and the Deployment it scales ('' for other kinds). */
function whereOf(hpa: V2HorizontalPodAutoscaler): { namespace: string; name: string; target: string } {
  const namespace = hpa.metadata?.namespace ?? 'default';
  const ref = hpa.spec?.scaleTargetRef;
  return { namespace, name: `${namespace}/${hpa.metadata?.name ?? ''}`, target: ref?.kind === 'Deployment' ? ref.name : '' };
}

async function scaleOne(input: AutoscalerOptions, hpa: V2HorizontalPodAutoscaler): Promise<string> {
  const { cluster } = input;
  const { namespace, name, target } = whereOf(hpa);
  const replicas = target === '' ? null : await cluster.replicasOf(namespace, target);
  if (replicas === null) return `${name}: no target`;
  const rps = input.load(namespace, target);
  if (rps === null) return `${name}: no metrics yet`;
  const sizing = sizeFor({ hpa, replicas, rps, perPodRps: input.perPodRps });
  await cluster.writeStatus(hpa, statusFor(sizing, { replicas, now: input.now(), previous: hpa.status }));
  if (sizing.active && sizing.desired !== replicas) await cluster.scale(namespace, target, sizing.desired);
  return `${name}: ${replicas} → ${sizing.desired}`;
}

export function createAutoscaler(input: AutoscalerOptions): Autoscaler {
  const { cluster } = input;
  return {
    step: async () => {
      const lines: string[] = [];
      for (const hpa of await cluster.listHpas()) {
        // One HPA's failure (a conflict with a concurrent write) waits for the next step, as the real controller's resync.
        lines.push(await scaleOne(input, hpa).catch((error: unknown) => `${hpa.metadata?.name ?? ''}: ${error instanceof Error ? error.message : String(error)}`));
      }
      return lines;
    },
  };
}

/** The autoscaler's cluster over the API (the sandbox's emulator, as its admin). */
export function apiAutoscalerCluster(kc: KubeConfig): AutoscalerCluster {
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    listHpas: async () => (await autoscaling.listHorizontalPodAutoscalerForAllNamespaces()).items,
    replicasOf: async (namespace, name) => {
      try {
        return (await apps.readNamespacedDeployment({ namespace, name })).spec?.replicas ?? 1;
      } catch {
        return null;
      }
    },
    scale: async (namespace, name, replicas) => {
      await apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, mergePatch);
    },
    writeStatus: async (hpa, status) => {
      await autoscaling.replaceNamespacedHorizontalPodAutoscalerStatus({ namespace: hpa.metadata?.namespace ?? 'default', name: hpa.metadata?.name ?? '', body: { ...hpa, status } });
    },
  };
}
