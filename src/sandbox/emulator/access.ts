// The gate every request passes before anything is served: authentication (401 Unauthorized),
// impersonation, then RBAC authorization (403 Forbidden with the real server's message), then an
// audit record.
import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticator } from './authn.ts';
import { actingUser } from './impersonation.ts';
import { authorize } from './rbac.ts';
import type { UserInfo } from './rbac-rules.ts';
import { combinedResource, requestAttributes, type RequestAttributes, type ResourceAttributes } from './request-info.ts';
import { forbidden, unauthorized } from './status.ts';
import type { ObjectStore } from './store.ts';
import type { Reply, StatusDetails } from './types.ts';

/** One authorized (or denied) resource request, as an audit log would record it. */
export interface AuditRecord {
  readonly user: string;
  readonly groups: readonly string[];
  readonly verb: string;
  /** '' for the core group. */
  readonly group: string;
  /** The plural, with `/subresource` when there is one (`deployments/scale`). */
  readonly resource: string;
  /** '' for cluster-scoped requests and lists across namespaces. */
  readonly namespace: string;
  /** '' when the request names no object. */
  readonly name: string;
  readonly allowed: boolean;
  /** The request's User-Agent header ('' when it sent none). */
  readonly userAgent: string;
  /** When the request was received (ms since the epoch), as requestReceivedTimestamp. */
  readonly receivedAt: number;
}

export interface AccessContext {
  readonly authenticator: Authenticator;
  readonly store: ObjectStore;
  /** Called for every resource request once it is decided (discovery and other paths are not recorded). */
  readonly audit?: (record: AuditRecord) => void;
}

export type Admission = { readonly ok: true; readonly user: UserInfo } | { readonly ok: false; readonly reply: Reply };

/** `User "x" cannot get resource "deployments/scale" in API group "apps" in the namespace "default"`. */
export function deniedText(user: UserInfo, attributes: RequestAttributes): string {
  if (attributes.kind === 'non-resource') return `User "${user.name}" cannot ${attributes.verb} path "${attributes.path}"`;
  const what = `User "${user.name}" cannot ${attributes.verb} resource "${combinedResource(attributes)}" in API group "${attributes.group}"`;
  return attributes.namespace === '' ? `${what} at the cluster scope` : `${what} in the namespace "${attributes.namespace}"`;
}

function forbiddenDetails(attributes: ResourceAttributes): StatusDetails {
  const details: StatusDetails = { kind: attributes.resource };
  if (attributes.group !== '') details.group = attributes.group;
  if (attributes.name !== '') details.name = attributes.name;
  return details;
}

/** The real server's 403: `deployments.apps "shop" is forbidden: User … cannot …[: reason]`. */
function forbiddenReply(user: UserInfo, attributes: RequestAttributes, reason: string): Reply {
  const text = deniedText(user, attributes) + (reason === '' ? '' : `: ${reason}`);
  if (attributes.kind === 'non-resource') return { code: 403, body: forbidden(`forbidden: ${text}`, {}) };
  const resource = attributes.group === '' ? attributes.resource : `${attributes.resource}.${attributes.group}`;
  const subject = attributes.name === '' ? resource : `${resource} "${attributes.name}"`;
  return { code: 403, body: forbidden(`${subject} is forbidden: ${text}`, forbiddenDetails(attributes)) };
}

function audit(ctx: AccessContext, request: { user: UserInfo; headers: IncomingHttpHeaders; receivedAt: number }, attributes: RequestAttributes, allowed: boolean): void {
  if (ctx.audit === undefined || attributes.kind === 'non-resource') return;
  const { verb, group, namespace, name } = attributes;
  const { user, headers, receivedAt } = request;
  ctx.audit({ user: user.name, groups: user.groups, verb, group, resource: combinedResource(attributes), namespace, name, allowed, userAgent: headers['user-agent'] ?? '', receivedAt });
}

/** Who the request acts as, and whether RBAC lets them; a refusal carries the reply to send. */
export function admit(ctx: AccessContext, request: { method: string; url: URL; headers: IncomingHttpHeaders }): Admission {
  const receivedAt = Date.now();
  const caller = ctx.authenticator.authenticate(request.headers.authorization);
  if (caller === undefined) return { ok: false, reply: { code: 401, body: unauthorized() } };
  const acting = actingUser(ctx.store, caller, request.headers);
  if (!acting.ok) return { ok: false, reply: forbiddenReply(caller, acting.denied, acting.reason) };
  const user = acting.user;
  const attributes = requestAttributes(request.method, request.url);
  const decision = authorize(ctx.store, user, attributes);
  audit(ctx, { user, headers: request.headers, receivedAt }, attributes, decision.allowed);
  return decision.allowed ? { ok: true, user } : { ok: false, reply: forbiddenReply(user, attributes, decision.reason) };
}
