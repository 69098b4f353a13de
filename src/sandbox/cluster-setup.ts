// What the sandbox does to the cluster, through client-node like any user would: install the
// CRDs, create the annotated app, change its image (a release), read its Canary.
import { readFile } from 'node:fs/promises';
import { packagePath } from '../package-root.ts';
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, loadAllYaml, setHeaderOptions,
  type KubeConfig, type V1CustomResourceDefinition, type V1Deployment,
} from '@kubernetes/client-node';
import type { Scenario } from './scenarios.ts';

const crdFiles = [
  'deploy/crds/canary.yaml',
  'deploy/crds/analysistemplates.yaml',
  'deploy/crds/clusteranalysistemplates.yaml',
  'deploy/crds/smi/trafficsplit-linkerd-smi-v1alpha1-v1alpha2.yaml',
  'deploy/crds/gateway-api/httproute-gateway-api-v1.6.1-standard.yaml',
];

/** Installs the Canary, analysis template, TrafficSplit and HTTPRoute CRDs (creating them; existing ones are left alone). */
export async function installCrds(kubeConfig: KubeConfig): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const file of crdFiles) {
    const text = await readFile(packagePath(file), 'utf8');
    for (const body of loadAllYaml(text) as V1CustomResourceDefinition[]) {
      if (body?.kind !== 'CustomResourceDefinition') continue;
      await api.createCustomResourceDefinition({ body }).catch((error: unknown) => {
        if ((error as { code?: number }).code !== 409) throw error;
      });
    }
  }
}

export interface Timing {
  readonly intervalMs: number;
  readonly bakeMs: number;
  readonly progressDeadlineMs: number;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** The app as a user would write it: a Deployment annotated for Fledge (plus `extra` annotations, such as hooks), and its Service. */
export function appDeployment(scenario: Scenario, timing: Timing, extra: Readonly<Record<string, string>> = {}): V1Deployment {
  const labels = { app: scenario.app };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: scenario.app,
      namespace: scenario.namespace,
      labels,
      annotations: {
        'fledge.dev/canary': 'true',
        'fledge.dev/steps': '10,25,50',
        'fledge.dev/interval': seconds(timing.intervalMs),
        'fledge.dev/bake': seconds(timing.bakeMs),
        'fledge.dev/progress-deadline': seconds(timing.progressDeadlineMs),
        ...extra,
      },
    },
    spec: {
      replicas: scenario.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: scenario.app, image: scenario.initialImage, ports: [{ name: 'http', containerPort: 9898 }] }] },
      },
    },
  };
}

export async function createApp(kubeConfig: KubeConfig, deployment: V1Deployment): Promise<void> {
  const namespace = deployment.metadata?.namespace ?? 'default';
  const name = deployment.metadata?.name ?? '';
  const labels = deployment.spec?.selector.matchLabels ?? {};
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedService({
    namespace,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: labels, ports: [{ name: 'http', port: 9898, targetPort: 9898 }] } },
  });
  await kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: deployment });
}

/** A release: the new image goes into the pod template, as `kubectl set image` would do. */
export async function setImage(kubeConfig: KubeConfig, ref: { namespace: string; app: string; image: string }): Promise<void> {
  const body = { spec: { template: { spec: { containers: [{ name: ref.app, image: ref.image }] } } } };
  await kubeConfig.makeApiClient(AppsV1Api).patchNamespacedDeployment(
    { namespace: ref.namespace, name: ref.app, body },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
}

/** The parts of a Canary's status the sandbox reads. */
export interface CanaryStatus {
  readonly phase?: string;
  readonly revision?: string;
  readonly lastPromotedRevision?: string;
  readonly lastFailedRevision?: string;
  readonly canaryWeight?: number;
  /** 1-based; null when no step is in progress. */
  readonly step?: number | null;
  readonly message?: string;
  readonly evidence?: { readonly metrics?: readonly Record<string, unknown>[] };
}

export interface CanaryObject {
  readonly spec?: { readonly steps?: readonly number[] } & Record<string, unknown>;
  readonly status?: CanaryStatus;
}

/** The Canary, or null while it does not exist. */
export async function readCanary(kubeConfig: KubeConfig, ref: { namespace: string; app: string }): Promise<CanaryObject | null> {
  try {
    return (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'fledge.dev', version: 'v1alpha1', namespace: ref.namespace, plural: 'canaries', name: ref.app,
    })) as CanaryObject;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return null;
    throw error;
  }
}
