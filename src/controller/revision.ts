// A revision names what is being released: the pod template plus the contents of the tracked
// ConfigMaps and Secrets. Replica counts and metadata outside the template do not count.
import { createHash } from 'node:crypto';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';

export interface TrackedContent {
  readonly kind: string;
  readonly name: string;
  /** data + binaryData; null when the object does not exist. */
  readonly data: Readonly<Record<string, string>> | null;
}

/** JSON with sorted keys, so equal objects hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Ten hex characters of a SHA-256 over the template and the tracked contents. */
export function revisionOf(template: V1PodTemplateSpec, tracked: readonly TrackedContent[]): string {
  const { metadata, spec } = template;
  const subject = { labels: metadata?.labels ?? {}, annotations: metadata?.annotations ?? {}, spec, tracked };
  return createHash('sha256').update(canonicalJson(subject)).digest('hex').slice(0, 10);
}
