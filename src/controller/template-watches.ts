// Watches on AnalysisTemplates and ClusterAnalysisTemplates. An added, edited or deleted template
// queues its own status check and every app whose `fledge.dev/analysis` names it (a namespaced
// template: the apps of its namespace; a cluster one: the apps of every namespace). The
// controller's own status writes change no generation, so they queue no app.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { parseTemplate } from '../ports.ts';
import { analysisName } from './analysis-lookup.ts';
import { cachedObject } from './cache-shapes.ts';
import { canaryAnnotation, keyOf } from './names.ts';
import { refOf, templateKey } from './template-status.ts';
import type { WatchEvent, WatchSpec } from './watch.ts';

function appsNaming(template: KubernetesObject, cluster: boolean, deployments: readonly KubernetesObject[]): string[] {
  const name = template.metadata?.name ?? '';
  const namespace = template.metadata?.namespace;
  return (deployments as readonly V1Deployment[])
    .filter((d) => d.metadata?.annotations?.[canaryAnnotation] !== undefined && (cluster || d.metadata?.namespace === namespace))
    .filter((d) => analysisName(d.metadata?.annotations ?? {}) === name)
    .map((d) => keyOf(d));
}

/** True unless the event is an update that left the generation as it was (a status write). */
function specChanged(seen: Map<string, number>, object: KubernetesObject, event: WatchEvent): boolean {
  const id = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const generation = object.metadata?.generation ?? 0;
  const changed = event !== 'update' || seen.get(id) !== generation;
  if (event === 'delete') seen.delete(id);
  else seen.set(id, generation);
  return changed;
}

function watchOf(kind: 'analysistemplates' | 'clusteranalysistemplates', deployments: () => readonly KubernetesObject[]): WatchSpec {
  const seen = new Map<string, number>();
  const cluster = kind === 'clusteranalysistemplates';
  return {
    kind,
    optional: true,
    shape: cachedObject,
    keysOf: (object: KubernetesObject, event: WatchEvent): string[] => {
      const own = templateKey(refOf(parseTemplate({ ...object, kind: cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate' })));
      return specChanged(seen, object, event) ? [own, ...appsNaming(object, cluster, deployments())] : [own];
    },
  };
}

/** The template watches: namespaced always, cluster-wide unless the controller is confined to one namespace. */
export function templateWatches(clusterTemplates: boolean, deployments: () => readonly KubernetesObject[]): WatchSpec[] {
  return [watchOf('analysistemplates', deployments), ...(clusterTemplates ? [watchOf('clusteranalysistemplates', deployments)] : [])];
}
