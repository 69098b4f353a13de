// ConfigMaps and Secrets whose contents are part of a revision: those the pod template
// references (volumes, envFrom, env valueFrom), or the ones `fledge.dev/track` lists.
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
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

function renameIn(name: string | undefined, kind: TrackedKind, renames: ReadonlyMap<string, string>): string | undefined {
  return name === undefined ? undefined : (renames.get(`${kind}/${name}`) ?? name);
}

/** A copy of the template whose references to tracked objects point at their `-primary` copies. */
export function retargetTemplate(template: V1PodTemplateSpec, renames: ReadonlyMap<string, string>): V1PodTemplateSpec {
  const copy = structuredClone(template);
  for (const container of [...(copy.spec?.containers ?? []), ...(copy.spec?.initContainers ?? [])]) {
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) from.configMapRef.name = renameIn(from.configMapRef.name, 'ConfigMap', renames) ?? '';
      if (from.secretRef) from.secretRef.name = renameIn(from.secretRef.name, 'Secret', renames) ?? '';
    }
    for (const env of container.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      if (cm) cm.name = renameIn(cm.name, 'ConfigMap', renames) ?? '';
      const secret = env.valueFrom?.secretKeyRef;
      if (secret) secret.name = renameIn(secret.name, 'Secret', renames) ?? '';
    }
  }
  for (const volume of copy.spec?.volumes ?? []) {
    if (volume.configMap) volume.configMap.name = renameIn(volume.configMap.name, 'ConfigMap', renames) ?? '';
    if (volume.secret) volume.secret.secretName = renameIn(volume.secret.secretName, 'Secret', renames) ?? '';
  }
  return copy;
}
