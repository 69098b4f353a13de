// Kubernetes' RBAC authorizer over the stored Roles, ClusterRoles and bindings, read afresh at
// every request (a change applies to the next request; open watches are not re-checked).
// ClusterRoleBindings grant everywhere, RoleBindings in their own namespace; a RoleBinding may
// grant a ClusterRole's rules there. Aggregated ClusterRoles (aggregationRule) are resolved here,
// at evaluation time, instead of by a controller writing their rules.
import { isRecord, rec, str } from './json.ts';
import { appliesTo, ruleAllows, rulesOf, type PolicyRule, type UserInfo } from './rbac-rules.ts';
import type { RequestAttributes } from './request-info.ts';
import { parseLabelSelector, selectorText } from './selectors.ts';
import type { ObjectStore } from './store.ts';
import type { KubeObject } from './types.ts';

const rbacGroup = 'rbac.authorization.k8s.io';
const keys = {
  roles: `${rbacGroup}/roles`,
  clusterRoles: `${rbacGroup}/clusterroles`,
  roleBindings: `${rbacGroup}/rolebindings`,
  clusterRoleBindings: `${rbacGroup}/clusterrolebindings`,
} as const;

/** Members are allowed everything, before RBAC is asked (as the real server's privileged group). */
export const privilegedGroup = 'system:masters';

/** `reason` explains a denial when a binding could not be resolved (RBAC: role … not found). */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

interface Binding {
  readonly roleRef: Record<string, unknown>;
  /** '' for ClusterRoleBindings. */
  readonly namespace: string;
}

interface Resolved {
  readonly rules: readonly PolicyRule[];
  readonly error?: string;
}

/** ClusterRoles an aggregation rule selects (by label), the role itself excepted. */
function selectedRoles(store: ObjectStore, role: KubeObject): KubeObject[] {
  const selectors = rec(role['aggregationRule'])['clusterRoleSelectors'];
  if (!Array.isArray(selectors)) return [];
  const all = store.list(keys.clusterRoles).filter((other) => other.metadata.name !== role.metadata.name);
  return all.filter((other) => selectors.some((selector) => {
    const parsed = parseLabelSelector(selectorText(selector));
    return parsed.ok && parsed.selector(other);
  }));
}

/** Own rules plus, for an aggregated role, the (resolved) rules of every role it selects. */
function clusterRoleRules(store: ObjectStore, role: KubeObject, seen: Set<string>): PolicyRule[] {
  seen.add(role.metadata.name ?? '');
  const own = rulesOf(role);
  if (!isRecord(role['aggregationRule'])) return own;
  const aggregated = selectedRoles(store, role).filter((other) => !seen.has(other.metadata.name ?? ''));
  return own.concat(aggregated.flatMap((other) => clusterRoleRules(store, other, seen)));
}

/** The rules a roleRef grants, or the error the real authorizer reports for it. */
function roleRefRules(store: ObjectStore, binding: Binding): Resolved {
  const name = str(binding.roleRef['name']);
  const kind = binding.roleRef['kind'];
  if (kind === 'ClusterRole') {
    const role = store.get(keys.clusterRoles, undefined, name);
    return role === undefined ? { rules: [], error: `clusterrole.${rbacGroup} "${name}" not found` } : { rules: clusterRoleRules(store, role, new Set()) };
  }
  if (kind === 'Role') {
    const role = store.get(keys.roles, binding.namespace, name);
    return role === undefined ? { rules: [], error: `role.${rbacGroup} "${name}" not found` } : { rules: rulesOf(role) };
  }
  return { rules: [], error: `unsupported role reference kind: ${JSON.stringify(kind ?? '')}` };
}

/** Bindings naming the user: every ClusterRoleBinding, then the RoleBindings of `namespace`. */
function* bindingsFor(store: ObjectStore, user: UserInfo, namespace: string): Generator<Binding> {
  const scopes: { key: string; namespace: string }[] = [{ key: keys.clusterRoleBindings, namespace: '' }];
  if (namespace !== '') scopes.push({ key: keys.roleBindings, namespace });
  for (const scope of scopes) {
    const objects = scope.namespace === '' ? store.list(scope.key) : store.list(scope.key, scope.namespace);
    for (const object of objects) {
      const subjects = Array.isArray(object['subjects']) ? object['subjects'] : [];
      if (subjects.some((subject) => appliesTo(subject, user, scope.namespace))) yield { roleRef: rec(object['roleRef']), namespace: scope.namespace };
    }
  }
}

/** Kubernetes' aggregate error text: one message alone, several (deduplicated) in brackets. */
function aggregate(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/** Allowed when any rule of any role bound to the user (or one of its groups) covers the request. */
export function authorize(store: ObjectStore, user: UserInfo, attributes: RequestAttributes): Decision {
  if (user.groups.includes(privilegedGroup)) return { allowed: true, reason: '' };
  const namespace = attributes.kind === 'resource' ? attributes.namespace : '';
  const errors: string[] = [];
  for (const binding of bindingsFor(store, user, namespace)) {
    const resolved = roleRefRules(store, binding);
    if (resolved.error !== undefined) errors.push(resolved.error);
    if (resolved.rules.some((rule) => ruleAllows(rule, attributes))) return { allowed: true, reason: '' };
  }
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${aggregate(errors)}` };
}

/** Every rule that applies to the user in `namespace` (cluster-wide ones included): SelfSubjectRulesReview. */
export function rulesFor(store: ObjectStore, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const binding of bindingsFor(store, user, namespace)) {
    const resolved = roleRefRules(store, binding);
    if (resolved.error !== undefined) errors.push(resolved.error);
    rules.push(...resolved.rules);
  }
  return { rules, errors };
}
