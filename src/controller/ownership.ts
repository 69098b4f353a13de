// Fledge changes only what it owns. Every child it creates (the primary Deployment, the backend
// Services, the TrafficSplit, the `-primary` copies of ConfigMaps/Secrets) carries an owner
// reference to the app's Canary; an object of one of those names without that reference
// belongs to someone else and is never changed, adopted or deleted — it is reported instead.
// The apex Service is the one object of the user's Fledge may change (its selector, restored
// exactly at hand-back; see apex.ts).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { managedByLabel } from './names.ts';

/** True when an owner reference names the object with `uid` (the app's Canary). */
export function ownedBy(meta: V1ObjectMeta | undefined, uid: string): boolean {
  return uid !== '' && (meta?.ownerReferences ?? []).some((ref) => ref.uid === uid);
}

/** Owned by a Canary (any): a backend Service or other child Fledge made for some app. */
export function ownedByACanary(meta: V1ObjectMeta | undefined): boolean {
  return (meta?.ownerReferences ?? []).some((ref) => ref.kind === 'Canary' && ref.apiVersion.startsWith('fledge.dev/'));
}

/** Who an object seems to belong to, for messages: its controller, another owner, a managed-by label, or nobody. */
export function ownerOf(meta: V1ObjectMeta | undefined): string {
  const refs = meta?.ownerReferences ?? [];
  const owner = refs.find((ref) => ref.controller === true) ?? refs[0];
  if (owner !== undefined) return `${owner.kind}/${owner.name}`;
  const manager = meta?.labels?.[managedByLabel];
  return manager === undefined || manager === '' ? 'no owner' : `managed by ${manager}`;
}

/** One object in the way: `Service shop-primary (owner: Deployment/payments)`. */
export function foreignText(kind: string, meta: V1ObjectMeta | undefined): string {
  return `${kind} ${meta?.name ?? ''} (owner: ${ownerOf(meta)})`;
}
