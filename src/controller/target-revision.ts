// The revision a Deployment asks for now, computed exactly as reconcile computes it (pod
// template + tracked ConfigMaps/Secrets), so `fledge wait` binds to what the controller sees.
import type { V1Deployment } from '@kubernetes/client-node';
import type { TrackedRef } from '../config/knob-values.ts';
import type { ClusterObjects } from '../ports.ts';
import { revisionOf, type TrackedContent } from './revision.ts';
import { trackedRefs } from './tracked.ts';

/** Reads a ConfigMap's or Secret's data + binaryData; null when it does not exist. */
export type TrackedReader = (ref: TrackedRef, namespace: string) => Promise<Readonly<Record<string, string>> | null>;

/** Reads tracked objects through the cluster port (Secrets' data as stored, base64). */
export function clusterReader(cluster: Pick<ClusterObjects, 'getConfigMap' | 'getSecret'>): TrackedReader {
  return async (ref, namespace) => {
    if (ref.kind === 'ConfigMap') {
      const configMap = await cluster.getConfigMap(namespace, ref.name);
      return configMap === null ? null : { ...configMap.data, ...configMap.binaryData };
    }
    const secret = await cluster.getSecret(namespace, ref.name);
    return secret === null ? null : { ...secret.data };
  };
}

/** The tracked objects' contents, in the order the revision hashes them. */
export async function readTrackedContents(
  deployment: V1Deployment,
  input: { readonly track: readonly TrackedRef[] | 'pod-template'; readonly read: TrackedReader },
): Promise<TrackedContent[]> {
  const template = deployment.spec?.template ?? {};
  const namespace = deployment.metadata?.namespace ?? 'default';
  const refs = trackedRefs(template, input.track);
  return Promise.all(refs.map(async (ref): Promise<TrackedContent> => ({ kind: ref.kind, name: ref.name, data: await input.read(ref, namespace) })));
}

/** The revision of `deployment` now, given its resolved `track` setting. */
export async function targetRevision(
  deployment: V1Deployment,
  input: { readonly track: readonly TrackedRef[] | 'pod-template'; readonly read: TrackedReader },
): Promise<string> {
  const tracked = await readTrackedContents(deployment, input);
  return revisionOf(deployment.spec?.template ?? {}, tracked);
}
