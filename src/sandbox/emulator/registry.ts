// Which resources are served at which group/version; CRDs add and remove entries at run time.
import { typeKey } from './store.ts';
import type { ResourceType } from './types.ts';

export interface GroupInfo {
  readonly name: string;
  /** Served versions, preferred first. */
  readonly versions: readonly string[];
}

const versionRe = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kube-aware version priority: GA before beta before alpha, higher numbers first, others last. */
export function compareVersions(a: string, b: string): number {
  const ma = versionRe.exec(a);
  const mb = versionRe.exec(b);
  if (ma === null || mb === null) return ma !== null ? -1 : mb !== null ? 1 : a.localeCompare(b);
  const rank = (m: RegExpExecArray): number => (m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1);
  return rank(mb) - rank(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();
  private generationCounter = 0;

  constructor(initial: readonly ResourceType[]) {
    for (const type of initial) this.types.set(typeKey(type), type);
  }

  /** Bumped on every change: discovery and OpenAPI hashes follow it. */
  get generation(): number {
    return this.generationCounter;
  }

  register(type: ResourceType): void {
    this.types.set(typeKey(type), type);
    this.generationCounter += 1;
  }

  unregister(group: string, plural: string): void {
    this.types.delete(typeKey({ group, plural }));
    this.generationCounter += 1;
  }

  byKey(key: string): ResourceType | undefined {
    return this.types.get(key);
  }

  /** The type served at group/version/plural, if that version is served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const type = this.types.get(typeKey({ group, plural }));
    return type?.versions.includes(version) === true ? type : undefined;
  }

  /** The type for an apiVersion + kind (owner references, kubectl-style lookups). */
  findKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return [...this.types.values()].find((t) => t.group === group && t.kind === kind && t.versions.includes(version ?? ''));
  }

  resourcesIn(group: string, version: string): ResourceType[] {
    return [...this.types.values()].filter((t) => t.group === group && t.versions.includes(version));
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** Named API groups (not the core group), in registration order. */
  groups(): GroupInfo[] {
    const byGroup = new Map<string, Set<string>>();
    for (const type of this.types.values()) {
      if (type.group === '') continue;
      const versions = byGroup.get(type.group) ?? new Set<string>();
      type.versions.forEach((v) => versions.add(v));
      byGroup.set(type.group, versions);
    }
    return [...byGroup].map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
  }
}
