// Which analysis template `fledge.dev/analysis: NAME` means for an app: the app namespace's
// AnalysisTemplate NAME, else the ClusterAnalysisTemplate NAME, else the built-in analysis/NAME.yaml.
// A template object is validated with the same zod schema as the built-in files (once per
// uid and generation); an invalid one is never skipped for the next in line: it blocks the apps
// naming it, with its message.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { templateProblems, templateSpecSchema, type AnalysisTemplate } from '../config/analysis-schema.ts';
import { knobs } from '../config/knobs.ts';
import type { AnalysisPin } from '../ports/canary-schema.ts';
import { templateLabel, type ClusterObjects, type TemplateObject, type TemplateRef } from '../ports.ts';
import { canonicalJson } from './revision.ts';

export type AnalysisSource = AnalysisPin['source'];

/** A template as found: usable (with where it came from and its digest), invalid, or no such name. */
export type Found =
  | { readonly kind: 'found'; readonly template: AnalysisTemplate; readonly source: AnalysisSource; readonly digest: string }
  | { readonly kind: 'invalid'; readonly source: AnalysisSource; readonly message: string }
  | { readonly kind: 'none' };

/** A template's verdict: usable, or the validation message (zod's, or the placeholder problems). */
export type Checked = { readonly ok: true; readonly template: AnalysisTemplate } | { readonly ok: false; readonly message: string };

const annotationKey = 'fledge.dev/analysis';
const nameSchema = z.string().regex(/^[a-z0-9-]+$/);

/** Digests of template objects already seen (parsed templates are never changed in place). */
const digests = new WeakMap<AnalysisTemplate, string>();

/** 16 hex digits of SHA-256 over the template's content: two templates measure the same exactly when equal. */
export function templateDigest(template: AnalysisTemplate): string {
  const known = digests.get(template);
  if (known !== undefined) return known;
  const { name: _name, ...spec } = template;
  const digest = createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
  digests.set(template, digest);
  return digest;
}

/** Checks a spec with the built-in files' schema and placeholder rules. */
export function checkTemplateSpec(name: string, spec: unknown): Checked {
  const parsed = templateSpecSchema.safeParse(spec);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'spec'}: ${issue.message}`).join('; ') };
  const problems = templateProblems(parsed.data);
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return { ok: true, template: { ...parsed.data, name } };
}

/** Verdicts by uid and generation: a template is validated once per version, not per reconcile. */
const verdicts = new Map<string, Checked>();
const maxVerdicts = 1000;

export function checkTemplateObject(object: TemplateObject): Checked {
  const key = `${object.metadata.uid ?? ''}:${object.metadata.generation ?? 0}:${object.metadata.resourceVersion ?? ''}`;
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  const checked = checkTemplateSpec(object.metadata.name ?? '', object.spec);
  if (verdicts.size >= maxVerdicts) verdicts.clear();
  verdicts.set(key, checked);
  return checked;
}

export function sourceOf(object: TemplateObject): AnalysisSource {
  const namespace = object.kind === 'AnalysisTemplate' ? (object.metadata.namespace ?? null) : null;
  return { kind: object.kind, namespace, name: object.metadata.name ?? '', generation: object.metadata.generation ?? 0 };
}

/** "AnalysisTemplate shop/checkout (generation 3)"; a built-in reads "built-in analysis linkerd". */
export function sourceLabel(source: AnalysisSource): string {
  if (source.kind === 'BuiltIn') return `built-in analysis ${source.name}`;
  return `${templateLabel({ kind: source.kind, namespace: source.namespace, name: source.name })} (generation ${source.generation})`;
}

/** The template name an app's annotations ask for (the knob's default when absent); null when malformed (the annotation parser says why). */
export function analysisName(annotations: Readonly<Record<string, string>>): string | null {
  const wanted = annotations[annotationKey] ?? String(knobs.analysis.default ?? '');
  return nameSchema.safeParse(wanted).success ? wanted : null;
}

function fromObject(object: TemplateObject): Found {
  const source = sourceOf(object);
  const checked = checkTemplateObject(object);
  if (!checked.ok) return { kind: 'invalid', source, message: `${sourceLabel(source)} is invalid: ${checked.message}` };
  return { kind: 'found', template: checked.template, source, digest: templateDigest(checked.template) };
}

/**
 * Looks NAME up in the namespace, then the cluster (unless `clusterTemplates` is false: a
 * controller confined to one namespace may not read cluster-scoped objects). `none`: neither
 * exists, and the built-in catalog decides.
 */
export async function lookupTemplate(cluster: ClusterObjects, input: { namespace: string; name: string; clusterTemplates: boolean }): Promise<Found> {
  const refs: TemplateRef[] = [
    { kind: 'AnalysisTemplate', namespace: input.namespace, name: input.name },
    ...(input.clusterTemplates ? [{ kind: 'ClusterAnalysisTemplate' as const, namespace: null, name: input.name }] : []),
  ];
  for (const ref of refs) {
    const object = await cluster.getAnalysisTemplate(ref);
    if (object !== null) return fromObject(object);
  }
  return { kind: 'none' };
}

/** A built-in template as found. */
export function builtIn(template: AnalysisTemplate): Found {
  return { kind: 'found', template, source: { kind: 'BuiltIn', namespace: null, name: template.name, generation: 0 }, digest: templateDigest(template) };
}
