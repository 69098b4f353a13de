// Bearer-token authentication: each token the emulator minted stands for one user. The token
// every emulator kubeconfig has always carried is the cluster admin (group system:masters);
// others are minted per user or ServiceAccount. A ServiceAccount's token is valid only while
// the ServiceAccount exists, as the real server's token authenticator checks.
import { randomBytes } from 'node:crypto';
import { serviceAccountOf, serviceAccountUserName, type UserInfo } from './rbac-rules.ts';
import type { ObjectStore } from './store.ts';

/** The admin token of `emulator.kubeconfig()`; fixed so written kubeconfigs stay valid. */
export const adminToken = 'fledge-emulator-token';

export const adminUser: UserInfo = { name: 'fledge-emulator-admin', groups: ['system:masters', 'system:authenticated'] };

/** What the real server gives a ServiceAccount's tokens: its user name and three groups. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: serviceAccountUserName(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

const sameUser = (a: UserInfo, b: UserInfo): boolean =>
  a.name === b.name && a.groups.length === b.groups.length && a.groups.every((g, i) => b.groups[i] === g);

export class Authenticator {
  readonly #tokens = new Map<string, UserInfo>([[adminToken, adminUser]]);

  constructor(private readonly store: ObjectStore) {}

  /** A token for `user` (the same one each time for the same name and groups). */
  tokenFor(user: UserInfo): string {
    for (const [token, known] of this.#tokens) if (sameUser(known, user)) return token;
    const token = `fledge-${randomBytes(18).toString('base64url')}`;
    this.#tokens.set(token, { name: user.name, groups: [...user.groups] });
    return token;
  }

  /** The user of an `Authorization: Bearer …` header; undefined answers 401. */
  authenticate(header: string | undefined): UserInfo | undefined {
    const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const user = match === null ? undefined : this.#tokens.get(match[1] ?? '');
    if (user === undefined) return undefined;
    const account = serviceAccountOf(user.name);
    if (account === undefined) return user;
    return this.store.get('/serviceaccounts', account.namespace, account.name) === undefined ? undefined : user;
  }
}
