// The analysis template one reconcile of an app uses: looked up (namespace → cluster →
// built-in), pinned for the run under way, and handed to the annotation parser as part of the
// catalog, so the judged family, the scrape interval and the queries all come from it.
import type { AnalysisTemplate } from '../config/analysis-schema.ts';
import type { Catalog } from '../config/catalog.ts';
import type { CanaryObject } from '../ports.ts';
import { analysisName, builtIn, lookupTemplate, sourceLabel, type Found } from './analysis-lookup.ts';
import { pickTemplate, type Picked } from './analysis-pin.ts';
import type { ReconcileDeps } from './context.ts';
import type { ConfigIssue } from './status.ts';
import { stateOf } from './status.ts';
import { initialState } from '../core/transitions.ts';
import type { CanaryState } from '../core/state.ts';

export type Usable = Extract<Found, { kind: 'found' }>;

/** What the app's analysis resolved to: the catalog to parse its annotations with, and the pick. */
export type AppAnalysis =
  | { readonly kind: 'ok'; readonly catalog: Catalog; readonly current: Usable; readonly picked: Picked }
  | { readonly kind: 'catalog'; readonly catalog: Catalog }
  | { readonly kind: 'issue'; readonly issue: ConfigIssue };

/** Catalogs with one template swapped in, remembered so parsed annotations stay memoised. */
const swapped = new WeakMap<Catalog, Map<string, Catalog>>();
const maxSwapped = 1000;

function catalogWith(catalog: Catalog, template: AnalysisTemplate, digest: string): Catalog {
  let byKey = swapped.get(catalog);
  if (byKey === undefined) {
    byKey = new Map();
    swapped.set(catalog, byKey);
  }
  const key = `${template.name}:${digest}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  if (catalog.analysis.get(template.name) === template) return catalog;
  const made: Catalog = { ...catalog, analysis: new Map([...catalog.analysis, [template.name, template]]) };
  if (byKey.size >= maxSwapped) byKey.clear();
  byKey.set(key, made);
  return made;
}

function missingMidRun(canary: CanaryObject | null, name: string, namespace: string): ConfigIssue | null {
  const pin = canary?.status?.analysis ?? null;
  if (pin === null || pin.run === '' || pin.source.name !== name || pin.source.kind === 'BuiltIn') return null;
  return {
    reason: 'InvalidAnalysisTemplate',
    message: `${sourceLabel(pin.source)} was deleted during the run: no AnalysisTemplate ${name} in ${namespace}, no ClusterAnalysisTemplate and no built-in of that name; nothing moves until it is back or fledge.dev/analysis names another`,
  };
}

function stateOrInitial(canary: CanaryObject | null): CanaryState {
  return canary === null ? initialState() : stateOf(canary);
}

function builtInNamed(catalog: Catalog, name: string): Usable | null {
  const template = catalog.analysis.get(name);
  return template === undefined ? null : (builtIn(template) as Usable);
}

/** Resolves the app's analysis template for this reconcile (see the module comment). */
export async function appAnalysis(deps: ReconcileDeps, input: { namespace: string; app: string; annotations: Readonly<Record<string, string>> }): Promise<AppAnalysis> {
  const name = analysisName(input.annotations);
  if (name === null) return { kind: 'catalog', catalog: deps.catalog };
  const found = await lookupTemplate(deps.cluster, { namespace: input.namespace, name, clusterTemplates: deps.clusterTemplates ?? true });
  if (found.kind === 'invalid') return { kind: 'issue', issue: { reason: 'InvalidAnalysisTemplate', message: found.message } };
  const canary = await deps.cluster.getCanary(input.namespace, input.app);
  const current = found.kind === 'found' ? found : builtInNamed(deps.catalog, name);
  if (current === null) {
    const missing = missingMidRun(canary, name, input.namespace);
    return missing === null ? { kind: 'catalog', catalog: deps.catalog } : { kind: 'issue', issue: missing };
  }
  const picked = pickTemplate(canary?.status?.analysis ?? null, stateOrInitial(canary), current, deps.catalog.analysis);
  return { kind: 'ok', catalog: catalogWith(deps.catalog, picked.template, picked.pin.digest), current, picked };
}
