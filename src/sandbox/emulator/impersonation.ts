// `Impersonate-User` / `Impersonate-Group` headers (kubectl --as, --as-group), as the real
// server's impersonation filter: the caller needs the `impersonate` verb on users (or on the
// ServiceAccount, in its namespace) and on each group; the request then runs as that user.
// A ServiceAccount impersonated without groups gets its own; everyone gets system:authenticated.
import type { IncomingHttpHeaders } from 'node:http';
import { serviceAccountUser } from './authn.ts';
import { authorize } from './rbac.ts';
import { serviceAccountOf, type UserInfo } from './rbac-rules.ts';
import type { ResourceAttributes } from './request-info.ts';
import type { ObjectStore } from './store.ts';

export type Impersonation =
  | { readonly ok: true; readonly user: UserInfo }
  | { readonly ok: false; readonly caller: UserInfo; readonly denied: ResourceAttributes; readonly reason: string };

const impersonateVerb = { kind: 'resource', verb: 'impersonate', group: '', version: '', subresource: '' } as const;

function values(headers: IncomingHttpHeaders, name: string): string[] {
  const value = headers[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : value.split(',');
  return list.map((v) => v.trim()).filter((v) => v !== '');
}

/** What the caller must be allowed to impersonate for this user and these groups. */
function checks(userName: string, groups: readonly string[]): ResourceAttributes[] {
  const account = serviceAccountOf(userName);
  const who: ResourceAttributes = account === undefined
    ? { ...impersonateVerb, resource: 'users', namespace: '', name: userName }
    : { ...impersonateVerb, resource: 'serviceaccounts', namespace: account.namespace, name: account.name };
  return [who, ...groups.map((group): ResourceAttributes => ({ ...impersonateVerb, resource: 'groups', namespace: '', name: group }))];
}

function impersonated(userName: string, groups: readonly string[]): UserInfo {
  const account = serviceAccountOf(userName);
  const base = account !== undefined && groups.length === 0 ? serviceAccountUser(account.namespace, account.name).groups : groups;
  return { name: userName, groups: base.includes('system:authenticated') ? [...base] : [...base, 'system:authenticated'] };
}

/** The user the request acts as: the caller, or whom it may impersonate; a denial names the check that failed. */
export function actingUser(store: ObjectStore, caller: UserInfo, headers: IncomingHttpHeaders): Impersonation {
  const [userName] = values(headers, 'impersonate-user');
  if (userName === undefined) return { ok: true, user: caller };
  const groups = values(headers, 'impersonate-group');
  for (const check of checks(userName, groups)) {
    const decision = authorize(store, caller, check);
    if (!decision.allowed) return { ok: false, caller, denied: check, reason: decision.reason };
  }
  return { ok: true, user: impersonated(userName, groups) };
}
