// Reads what one look of `fledge wait` needs from the cluster: the Deployment's revision now
// (computed exactly like reconcile does) and the Canary. Throws FledgeError: FLEDGE_USAGE /
// FLEDGE_CONFIG_INVALID for things only the user can fix, FLEDGE_API_UNAVAILABLE for blips.
//
// Whether the annotations make a valid release is the controller's call (it knows its own
// catalog: analysis templates, scrape intervals); it says so in the Canary's ConfigValid
// condition, which the outcome reads. Here only each value's own syntax is checked (a typo
// fails at once, before any controller has looked) and the `track` knob is read, which the
// revision depends on.
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryApi, CanaryObject } from '../../adapters/kube/canary-resource.ts';
import { parseRequest } from '../../adapters/kube/canary-resource.ts';
import type { ClusterObjects } from '../../ports.ts';
import { readKnobs, summarizeIssues } from '../../config/annotations.ts';
import { canaryAnnotation } from '../../controller/names.ts';
import { clusterReader, targetRevision } from '../../controller/target-revision.ts';
import { FledgeError } from '../../errors.ts';

export interface LookDeps {
  readonly cluster: Pick<ClusterObjects, 'getDeployment' | 'getConfigMap' | 'getSecret'>;
  readonly canaries: Pick<CanaryApi, 'get'>;
}

export interface Seen {
  readonly current: string;
  readonly canary: CanaryObject | null;
  readonly requestPending: boolean;
  readonly steps: readonly number[];
  /** The Deployment's metadata.generation (a ConfigValid verdict about an older one is stale). */
  readonly generation: number;
}

/** The Deployment's revision now; FLEDGE_USAGE/FLEDGE_CONFIG_INVALID when Fledge does not release it. */
export async function currentRevision(deps: LookDeps, deployment: V1Deployment): Promise<string> {
  const name = `${deployment.metadata?.namespace ?? 'default'}/${deployment.metadata?.name ?? ''}`;
  const annotations = deployment.metadata?.annotations ?? {};
  if (annotations[canaryAnnotation] !== 'true') {
    throw new FledgeError('FLEDGE_USAGE', `deployment ${name} is not released by Fledge: annotate it with ${canaryAnnotation}: "true"`);
  }
  const reading = readKnobs(annotations);
  if (reading.issues.length > 0) throw new FledgeError('FLEDGE_CONFIG_INVALID', `deployment ${name}: ${summarizeIssues(reading.issues)}`);
  return targetRevision(deployment, { track: reading.values.track ?? 'pod-template', read: clusterReader(deps.cluster) });
}

function stepsOf(canary: CanaryObject | null): number[] {
  const steps: unknown = canary?.spec['steps'];
  return Array.isArray(steps) ? steps.filter((step): step is number => typeof step === 'number') : [];
}

function pending(canary: CanaryObject | null): boolean {
  if (canary === null) return false;
  const reading = parseRequest(canary);
  return reading.kind === 'request' && reading.request.id !== (canary.status?.handledRequest ?? null);
}

/** One look at `namespace/name`. */
export async function look(deps: LookDeps, ref: { namespace: string; name: string }): Promise<Seen> {
  const deployment = await deps.cluster.getDeployment(ref.namespace, ref.name);
  if (deployment === null) throw new FledgeError('FLEDGE_USAGE', `deployment ${ref.namespace}/${ref.name} not found`);
  const current = await currentRevision(deps, deployment);
  const canary = await deps.canaries.get(ref.namespace, ref.name);
  return { current, canary, requestPending: pending(canary), steps: stepsOf(canary), generation: deployment.metadata?.generation ?? 0 };
}
