// The `/scale` subresource: an autoscaling/v1 Scale view of a Deployment's replicas.
import { isRecord, readPath } from './json.ts';
import { invalid } from './status.ts';
import { selectorText } from './selectors.ts';
import { fail, ok, type KubeObject, type ObjectMeta, type Result } from './types.ts';

const scaleType = { kind: 'Scale', group: 'autoscaling' };

export function toScale(object: KubeObject): KubeObject {
  const picked = ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const;
  const metadata = Object.fromEntries(picked.filter((k) => object.metadata[k] !== undefined).map((k) => [k, object.metadata[k]])) as ObjectMeta;
  const replicas = readPath(object, ['spec', 'replicas']);
  const statusReplicas = readPath(object, ['status', 'replicas']);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, selector: selectorText(readPath(object, ['spec', 'selector'])) },
  };
}

/** The object with the Scale's replicas written into it; the Scale's resourceVersion is the precondition. */
export function fromScale(object: KubeObject, scale: unknown): Result<KubeObject> {
  const replicas = readPath(scale, ['spec', 'replicas']);
  const name = object.metadata.name ?? '';
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    const cause = { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` };
    return fail(invalid(scaleType, name, [cause]));
  }
  const rv = readPath(scale, ['metadata', 'resourceVersion']);
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const metadata = { ...object.metadata };
  if (typeof rv === 'string' && rv !== '') metadata.resourceVersion = rv;
  else delete metadata.resourceVersion;
  return ok({ ...object, metadata, spec: { ...spec, replicas } });
}
