// Names and labels of what Fledge creates beside an app (DESIGN.md §2).

export { managedByLabel, managedByValue as managedBy } from '../ports.ts';
/** On the primary's pod template: the revision it was copied from. */
export const revisionAnnotation = 'fledge.dev/revision';
export const canaryAnnotation = 'fledge.dev/canary';
/** On the Canary: the app's replica count when Fledge took it over, to rebuild a lost primary at size. */
export const replicasAnnotation = 'fledge.dev/replicas';
/** On the apex Service: its selector before Fledge pointed it at the primary (JSON), restored at hand-back. */
export const apexSelectorAnnotation = 'fledge.dev/apex-selector';

/** The work queue's key of an object: `namespace/name`. */
export function keyOf(object: { readonly metadata?: { readonly namespace?: string; readonly name?: string } }): string {
  return `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`;
}

export interface AppNames {
  readonly namespace: string;
  readonly app: string;
  readonly primary: string;
  readonly primaryService: string;
  readonly canaryService: string;
}

export function namesOf(namespace: string, app: string): AppNames {
  return { namespace, app, primary: `${app}-primary`, primaryService: `${app}-primary`, canaryService: `${app}-canary` };
}

/** The primary's copy of a tracked ConfigMap or Secret. */
export function primaryCopyName(name: string): string {
  return `${name}-primary`;
}

/** Primary pods carry every selector label with `-primary` appended, so the two never overlap. */
export function primaryLabels(labels: Readonly<Record<string, string>>, selectorKeys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const key of selectorKeys) {
    const value = labels[key];
    if (value !== undefined) out[key] = `${value}-primary`;
  }
  return out;
}
