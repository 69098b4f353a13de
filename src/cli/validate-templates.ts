// The analysis templates of a manifest, for `fledge validate -f`: each AnalysisTemplate and
// ClusterAnalysisTemplate is checked with the controller's schema and placeholder rules, and a
// Deployment is checked against the catalog it would see in the cluster — its namespace's
// templates first, then the cluster ones, then the built-ins.
import type { AnalysisTemplate } from '../config/analysis-schema.ts';
import type { Catalog } from '../config/catalog.ts';
import { checkTemplateSpec } from '../controller/analysis-lookup.ts';

interface TemplateManifest {
  readonly kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly spec?: unknown;
}

/** The usable templates of a file, by scope. */
export interface FileTemplates {
  readonly cluster: ReadonlyMap<string, AnalysisTemplate>;
  /** By namespace ("" when the manifest names none: the namespace it is applied to). */
  readonly namespaced: ReadonlyMap<string, ReadonlyMap<string, AnalysisTemplate>>;
  readonly lines: readonly string[];
  readonly valid: boolean;
}

function isTemplate(doc: unknown): doc is TemplateManifest {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  return kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function summary(template: AnalysisTemplate): string {
  return `scrape ${template.scrapeInterval}, ${template.metrics?.length ?? 0} extra metrics, ${template.checks?.length ?? 0} checks`;
}

function namespaceMap(all: Map<string, Map<string, AnalysisTemplate>>, namespace: string): Map<string, AnalysisTemplate> {
  const found = all.get(namespace) ?? new Map<string, AnalysisTemplate>();
  all.set(namespace, found);
  return found;
}

/** Checks every template in the documents; invalid ones are reported and left out. */
export function fileTemplates(docs: readonly unknown[]): FileTemplates {
  const cluster = new Map<string, AnalysisTemplate>();
  const namespaced = new Map<string, Map<string, AnalysisTemplate>>();
  const lines: string[] = [];
  let valid = true;
  for (const doc of docs.filter(isTemplate)) {
    const name = text(doc.metadata?.name);
    const checked = checkTemplateSpec(name, doc.spec);
    lines.push(`${doc.kind.toLowerCase()}/${name === '' ? '(unnamed)' : name}: ${checked.ok ? `ok (${summary(checked.template)})` : `invalid: ${checked.message}`}`);
    valid &&= checked.ok;
    if (!checked.ok) continue;
    const scope = doc.kind === 'ClusterAnalysisTemplate' ? cluster : namespaceMap(namespaced, text(doc.metadata?.namespace));
    scope.set(name, checked.template);
  }
  return { cluster, namespaced, lines, valid };
}

/** The catalog a Deployment in `namespace` sees: the built-ins, overridden by cluster, then namespace templates of the file. */
export function catalogFor(catalog: Catalog, templates: FileTemplates, namespace: string): Catalog {
  const own = templates.namespaced.get(namespace) ?? new Map<string, AnalysisTemplate>();
  if (templates.cluster.size === 0 && own.size === 0) return catalog;
  return { ...catalog, analysis: new Map([...catalog.analysis, ...templates.cluster, ...own]) };
}
