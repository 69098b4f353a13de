// RBAC's matching rules, as in Kubernetes' rbac/v1 helpers: which subjects a binding names and
// whether one PolicyRule covers one request. Pure functions over plain JSON.
import { isRecord, str } from './json.ts';
import { combinedResource, type RequestAttributes, type ResourceAttributes } from './request-info.ts';

/** An authenticated user: the name RBAC subjects of kind User match, and its groups. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

const saPrefix = 'system:serviceaccount:';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The rules of a Role or ClusterRole object; malformed entries read as empty lists. */
export function rulesOf(role: unknown): PolicyRule[] {
  const rules = isRecord(role) && Array.isArray(role['rules']) ? role['rules'] : [];
  return rules.filter(isRecord).map((rule) => ({
    verbs: strings(rule['verbs']),
    apiGroups: strings(rule['apiGroups']),
    resources: strings(rule['resources']),
    resourceNames: strings(rule['resourceNames']),
    nonResourceURLs: strings(rule['nonResourceURLs']),
  }));
}

/** `system:serviceaccount:NS:NAME`: the user name Kubernetes gives a ServiceAccount's tokens. */
export function serviceAccountUserName(namespace: string, name: string): string {
  return `${saPrefix}${namespace}:${name}`;
}

/** The ServiceAccount a user name stands for, if it is one. */
export function serviceAccountOf(userName: string): { namespace: string; name: string } | undefined {
  if (!userName.startsWith(saPrefix)) return undefined;
  const [namespace = '', name = '', ...extra] = userName.slice(saPrefix.length).split(':');
  return namespace === '' || name === '' || extra.length > 0 ? undefined : { namespace, name };
}

/**
 * Does a binding's subject name this user? A ServiceAccount subject without a namespace means
 * the binding's own (RoleBindings only; `bindingNamespace` is '' for ClusterRoleBindings).
 */
export function appliesTo(subject: unknown, user: UserInfo, bindingNamespace: string): boolean {
  if (!isRecord(subject)) return false;
  const name = str(subject['name']);
  switch (subject['kind']) {
    case 'User':
      return user.name === name;
    case 'Group':
      return user.groups.includes(name);
    case 'ServiceAccount': {
      const namespace = str(subject['namespace']) || bindingNamespace;
      return namespace !== '' && user.name === serviceAccountUserName(namespace, name);
    }
    default:
      return false;
  }
}

const matchesOrAll = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);

/** `*`, the exact `plural/subresource`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, attributes: ResourceAttributes): boolean {
  const combined = combinedResource(attributes);
  if (matchesOrAll(rule.resources, combined)) return true;
  return attributes.subresource !== '' && rule.resources.includes(`*/${attributes.subresource}`);
}

/** resourceNames restrict a rule to named requests: a request without a name never matches them. */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** An exact path, `*`, or a prefix ending in `*`. */
function urlMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!matchesOrAll(rule.verbs, attributes.verb)) return false;
  if (attributes.kind === 'non-resource') return urlMatches(rule, attributes.path);
  return matchesOrAll(rule.apiGroups, attributes.group) && resourceMatches(rule, attributes) && resourceNameMatches(rule, attributes.name);
}
