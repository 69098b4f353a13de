// Reads what a release's page and report show: the Canary, its Events and the verbs that apply
// now, with the caller's credentials (their RBAC applies).
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi, type CanaryApi, type CanaryObject } from '../adapters/kube/canary-resource.ts';
import { applicability } from '../cli/action-commands.ts';
import { verbs } from './pages.ts';
import { releaseView, type ReleaseView } from './view.ts';

export interface ReleaseReader {
  readonly canaries: CanaryApi;
  /** The Events about the Canary `namespace/name`. */
  readonly events: (namespace: string, name: string) => Promise<CoreV1Event[]>;
}

export function createReleaseReader(kc: KubeConfig): ReleaseReader {
  const caller = createApiCaller();
  const core = kc.makeApiClient(CoreV1Api);
  return {
    canaries: createCanaryApi(kc, caller),
    events: async (namespace, name) => {
      const fieldSelector = `involvedObject.kind=Canary,involvedObject.name=${name}`;
      const list = await caller.call(`list events of canary ${namespace}/${name}`, () => core.listNamespacedEvent({ namespace, fieldSelector }));
      return list.items;
    },
  };
}

/** The verbs whose buttons are enabled for this Canary (the CLI's own checks). */
export function applicableVerbs(canary: CanaryObject): string[] {
  return verbs.filter((verb) => applicability(verb, canary.status).ok);
}

/** The release's view; null when there is no such Canary. A refused Event list shows no Events. */
export async function readRelease(reader: ReleaseReader, namespace: string, name: string): Promise<ReleaseView | null> {
  const canary = await reader.canaries.get(namespace, name);
  if (canary === null) return null;
  const events = await reader.events(namespace, name).catch(() => []);
  return releaseView({ canary, events, verbs: applicableVerbs(canary) });
}
