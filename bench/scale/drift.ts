// Drift after the release: an outside writer hand-edits K TrafficSplits (70/30 instead of the
// controller's 100/0) and a watch on the TrafficSplits times how long each takes to be put back.
import { inParallel, type Api } from './api.ts';
import { watchCollection, type WatchedObject } from './watch.ts';

export interface DriftResult {
  /** Splits edited. */
  readonly edited: number;
  /** Edit → repaired (the watch shows 100% to the primary again), one per repaired split, ms. */
  readonly repairMs: readonly number[];
}

const namespace = 'default';
const splitsPath = `/apis/split.smi-spec.io/v1alpha2/namespaces/${namespace}/trafficsplits`;

function canaryWeight(object: WatchedObject, app: string): number | null {
  const backends = (object.spec?.['backends'] ?? []) as Array<{ service?: string; weight?: unknown }>;
  const canary = backends.find((b) => b.service === `${app}-canary`);
  const primary = backends.find((b) => b.service === `${app}-primary`);
  return canary === undefined || primary === undefined ? null : Number(canary.weight);
}

/** Edits `apps`' splits and waits (until `timeoutMs`) for every one to be repaired. */
export async function measureDrift(api: Api, apps: readonly string[], timeoutMs: number): Promise<DriftResult> {
  const editedAt = new Map<string, number>();
  const repairMs: number[] = [];
  const watch = watchCollection(api, splitsPath, (_type, object, at) => {
    const app = object.metadata.name;
    const since = editedAt.get(app);
    if (since === undefined || canaryWeight(object, app) !== 0) return;
    editedAt.delete(app);
    repairMs.push(at - since);
  });
  try {
    // Let the watch list first, so no repair is missed.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const edit = { spec: { backends: [{ service: '', weight: 70 }, { service: '', weight: 30 }] } };
    await inParallel(apps, apps.length, async (app) => {
      const body = { spec: { backends: [{ ...edit.spec.backends[0], service: `${app}-primary` }, { ...edit.spec.backends[1], service: `${app}-canary` }] } };
      editedAt.set(app, Date.now());
      await api.request('PATCH', `${splitsPath}/${app}`, body, 'application/merge-patch+json');
    });
    const deadline = Date.now() + timeoutMs;
    while (editedAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return { edited: apps.length, repairMs };
  } finally {
    watch.stop();
  }
}
