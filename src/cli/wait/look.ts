// Reads what one look of `fledge wait` needs from the cluster: the Deployment's revision now
// (computed exactly like reconcile does) and the Canary. Throws FledgeError: FLEDGE_USAGE /
// FLEDGE_CONFIG_INVALID for things only the user can fix, FLEDGE_API_UNAVAILABLE for blips.
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryApi, CanaryObject } from '../../adapters/kube/canary-resource.ts';
import { parseRequest } from '../../adapters/kube/canary-resource.ts';
import type { ClusterObjects } from '../../ports.ts';
import { parseAnnotations, summarizeIssues } from '../../config/annotations.ts';
import type { Catalog } from '../../config/catalog.ts';
import { canaryAnnotation } from '../../controller/names.ts';
import { clusterReader, targetRevision } from '../../controller/target-revision.ts';
import { FledgeError } from '../../errors.ts';

export interface LookDeps {
  readonly cluster: Pick<ClusterObjects, 'getDeployment' | 'getConfigMap' | 'getSecret'>;
  readonly canaries: Pick<CanaryApi, 'get'>;
  readonly catalog: Catalog;
}

export interface Seen {
  readonly current: string;
  readonly canary: CanaryObject | null;
  readonly requestPending: boolean;
  readonly steps: readonly number[];
}

/** The Deployment's revision now; FLEDGE_USAGE/FLEDGE_CONFIG_INVALID when Fledge does not release it. */
export async function currentRevision(deps: LookDeps, deployment: V1Deployment): Promise<string> {
  const name = `${deployment.metadata?.namespace ?? 'default'}/${deployment.metadata?.name ?? ''}`;
  const annotations = deployment.metadata?.annotations ?? {};
  if (annotations[canaryAnnotation] !== 'true') {
    throw new FledgeError('FLEDGE_USAGE', `deployment ${name} is not released by Fledge: annotate it with ${canaryAnnotation}: "true"`);
  }
  const parsed = parseAnnotations(annotations, deps.catalog);
  if (!parsed.ok) throw new FledgeError('FLEDGE_CONFIG_INVALID', `deployment ${name}: ${summarizeIssues(parsed.issues)}`);
  return targetRevision(deployment, { track: parsed.config.track, read: clusterReader(deps.cluster) });
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
  return { current, canary, requestPending: pending(canary), steps: stepsOf(canary) };
}
