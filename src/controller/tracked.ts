// ConfigMaps and Secrets whose contents are part of a revision: those the pod template
// references (volumes, envFrom, env valueFrom), or the ones `fledge.dev/track` lists.
import type { V1Container, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import type { TrackedRef } from '../config/knobs.ts';

export type TrackedKind = TrackedRef['kind'];

function containerRefs(template: V1PodTemplateSpec): TrackedRef[] {
  const containers = [...(template.spec?.containers ?? []), ...(template.spec?.initContainers ?? [])];
  return containers.flatMap((container) => [
    ...(container.envFrom ?? []).flatMap((from): TrackedRef[] => [
      ...(from.configMapRef?.name === undefined ? [] : [{ kind: 'ConfigMap', name: from.configMapRef.name } as const]),
      ...(from.secretRef?.name === undefined ? [] : [{ kind: 'Secret', name: from.secretRef.name } as const]),
    ]),
    ...(container.env ?? []).flatMap((env): TrackedRef[] => [
      ...(env.valueFrom?.configMapKeyRef?.name === undefined ? [] : [{ kind: 'ConfigMap', name: env.valueFrom.configMapKeyRef.name } as const]),
      ...(env.valueFrom?.secretKeyRef?.name === undefined ? [] : [{ kind: 'Secret', name: env.valueFrom.secretKeyRef.name } as const]),
    ]),
  ]);
}

function volumeRefs(template: V1PodTemplateSpec): TrackedRef[] {
  return (template.spec?.volumes ?? []).flatMap((volume): TrackedRef[] => [
    ...(volume.configMap?.name === undefined ? [] : [{ kind: 'ConfigMap', name: volume.configMap.name } as const]),
    ...(volume.secret?.secretName === undefined ? [] : [{ kind: 'Secret', name: volume.secret.secretName } as const]),
  ]);
}

/** The tracked objects of a template, de-duplicated and sorted (stable for hashing). */
export function trackedRefs(template: V1PodTemplateSpec, listed: readonly TrackedRef[] | 'pod-template'): TrackedRef[] {
  const refs = listed === 'pod-template' ? [...containerRefs(template), ...volumeRefs(template)] : [...listed];
  const unique = new Map(refs.map((ref) => [`${ref.kind}/${ref.name}`, ref]));
  return [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, ref]) => ref);
}

type Renames = ReadonlyMap<string, string>;

function renamed(kind: TrackedKind, name: string | undefined, renames: Renames): string {
  return name === undefined ? '' : (renames.get(`${kind}/${name}`) ?? name);
}

function retargetEnvFrom(container: V1Container, renames: Renames): void {
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) from.configMapRef.name = renamed('ConfigMap', from.configMapRef.name, renames);
    if (from.secretRef) from.secretRef.name = renamed('Secret', from.secretRef.name, renames);
  }
}

function retargetContainer(container: V1Container, renames: Renames): void {
  retargetEnvFrom(container, renames);
  for (const env of container.env ?? []) {
    const configMap = env.valueFrom?.configMapKeyRef;
    if (configMap) configMap.name = renamed('ConfigMap', configMap.name, renames);
    const secret = env.valueFrom?.secretKeyRef;
    if (secret) secret.name = renamed('Secret', secret.name, renames);
  }
}

function retargetVolume(volume: V1Volume, renames: Renames): void {
  if (volume.configMap) volume.configMap.name = renamed('ConfigMap', volume.configMap.name, renames);
  if (volume.secret) volume.secret.secretName = renamed('Secret', volume.secret.secretName, renames);
}

/** A copy of the template whose references to tracked objects point at their `-primary` copies. */
export function retargetTemplate(template: V1PodTemplateSpec, renames: Renames): V1PodTemplateSpec {
  const copy = structuredClone(template);
  const spec = copy.spec;
  for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) retargetContainer(container, renames);
  for (const volume of spec?.volumes ?? []) retargetVolume(volume, renames);
  return copy;
}
