// Reviews, answered from the same authentication and RBAC evaluation as requests (nothing is
// stored): SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview (may another user…?),
// SelfSubjectRulesReview (`kubectl auth can-i --list`) and authentication.k8s.io's
// SelfSubjectReview (`kubectl auth whoami`). Only `create` is served.
import { isRecord, parseJson, rec, str } from './json.ts';
import { decodeKubeProtobuf, protobufMediaType } from './protobuf/index.ts';
import { authorize, rulesFor } from './rbac.ts';
import type { PolicyRule, UserInfo } from './rbac-rules.ts';
import type { RequestAttributes } from './request-info.ts';
import { badRequest, invalid } from './status.ts';
import type { ObjectStore } from './store.ts';
import { fail, ok, type Reply, type ResourceType, type Result } from './types.ts';

const reviewGroups = new Set(['authorization.k8s.io', 'authentication.k8s.io']);

/** Reviews are answered by handleReview instead of being stored. */
export function isReview(type: ResourceType): boolean {
  return reviewGroups.has(type.group) && type.verbs !== undefined;
}

export interface ReviewRequest {
  readonly type: ResourceType;
  readonly user: UserInfo;
  readonly contentType: string | undefined;
  readonly raw: Buffer;
}

type Body = Record<string, unknown>;

/** JSON, or protobuf as kubectl's typed client sends it. */
function parseReview(request: ReviewRequest): Result<Body> {
  const media = (request.contentType ?? '').split(';')[0]?.trim() ?? '';
  if (media === protobufMediaType) return decodeKubeProtobuf(request.raw);
  const parsed = parseJson(request.raw.toString('utf8'));
  if (parsed.ok && isRecord(parsed.value)) return ok(parsed.value);
  return fail(badRequest(`error decoding request body: ${parsed.ok ? 'not an object' : parsed.error}`));
}

/** The attributes a review's spec asks about; a string is the 422 message when it names none. */
function attributesOf(spec: Body): RequestAttributes | string {
  const resource = spec['resourceAttributes'];
  const nonResource = spec['nonResourceAttributes'];
  if (isRecord(resource) === isRecord(nonResource)) return 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
  if (isRecord(nonResource)) return { kind: 'non-resource', verb: str(nonResource['verb']), path: str(nonResource['path']) };
  const r = rec(resource);
  const field = (key: string): string => str(r[key]);
  return {
    kind: 'resource', verb: field('verb'), group: field('group'), version: field('version'), resource: field('resource'),
    subresource: field('subresource'), namespace: field('namespace'), name: field('name'),
  };
}

/** SubjectAccessReview asks about `spec.user`/`spec.groups`; the self reviews about the caller. */
function subjectOf(kind: string, spec: Body, caller: UserInfo): UserInfo {
  if (kind !== 'SubjectAccessReview') return caller;
  const groups = Array.isArray(spec['groups']) ? spec['groups'].filter((g): g is string => typeof g === 'string') : [];
  return { name: str(spec['user']), groups };
}

function ruleStatus(rules: readonly PolicyRule[], errors: readonly string[]): Body {
  const resourceRules = rules.filter((r) => r.nonResourceURLs.length === 0).map((r) => {
    const rule: Body = { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources };
    if (r.resourceNames.length > 0) rule['resourceNames'] = r.resourceNames;
    return rule;
  });
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  const status: Body = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length > 0) status['evaluationError'] = errors.join(', ');
  return status;
}

function decide(store: ObjectStore, request: ReviewRequest, body: Body): Reply {
  const spec = rec(body['spec']);
  const answer = (status: Body): Reply => ({ code: 201, body: { ...body, apiVersion: `${request.type.group}/v1`, kind: request.type.kind, status } });
  if (request.type.kind === 'SelfSubjectReview') return answer({ userInfo: { username: request.user.name, groups: request.user.groups } });
  if (request.type.kind === 'SelfSubjectRulesReview') {
    const { rules, errors } = rulesFor(store, request.user, str(spec['namespace']));
    return answer(ruleStatus(rules, errors));
  }
  const attributes = attributesOf(spec);
  if (typeof attributes === 'string') {
    const cause = { reason: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: `Invalid value: "null": ${attributes}` };
    return { code: 422, body: invalid(request.type, '', [cause]) };
  }
  const decision = authorize(store, subjectOf(request.type.kind, spec, request.user), attributes);
  return answer(decision.reason === '' ? { allowed: decision.allowed } : { allowed: decision.allowed, reason: decision.reason });
}

/** POST of a review: its status filled in (201), never stored. */
export function handleReview(store: ObjectStore, request: ReviewRequest): Reply {
  const body = parseReview(request);
  return body.ok ? decide(store, request, body.value) : { code: body.status.code, body: body.status };
}
