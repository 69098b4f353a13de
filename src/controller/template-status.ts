// A template's own status: `Ready` True when the controller can use it, False with the zod
// message (or the placeholder problems, or a refused Prometheus address) and a Warning Event
// when it cannot. Reconciled on the same work queue as the apps, under keys of their own, when
// a template is added or changed, and at every resync. Written only when the verdict changed.
import { setCondition, templateLabel, type TemplateObject, type TemplateRef } from '../ports.ts';
import { checkTemplateObject, type Checked } from './analysis-lookup.ts';
import type { ReconcileDeps } from './context.ts';
import { prometheusRefusal } from './prometheus-checks.ts';

const prefix = 'template:';

/** The work-queue key of a template: "template:AnalysisTemplate/shop/checkout", "template:ClusterAnalysisTemplate//linkerd". */
export function templateKey(ref: TemplateRef): string {
  return `${prefix}${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** The template a key names; null for an app's key. */
export function templateOfKey(key: string): TemplateRef | null {
  if (!key.startsWith(prefix)) return null;
  const [kind = '', namespace = '', name = ''] = key.slice(prefix.length).split('/');
  if (kind === 'ClusterAnalysisTemplate') return { kind, namespace: null, name };
  return kind === 'AnalysisTemplate' ? { kind, namespace, name } : null;
}

export function refOf(object: TemplateObject): TemplateRef {
  return object.kind === 'ClusterAnalysisTemplate'
    ? { kind: object.kind, namespace: null, name: object.metadata.name ?? '' }
    : { kind: object.kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name ?? '' };
}

interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
  readonly message: string;
}

function verdictOf(deps: ReconcileDeps, checked: Checked): Verdict {
  if (!checked.ok) return { ok: false, reason: 'Invalid', message: checked.message.slice(0, 1000) };
  const refused = prometheusRefusal(deps, checked.template);
  if (refused !== null) return { ok: false, reason: refused.reason, message: refused.message };
  return { ok: true, reason: 'Valid', message: 'the spec is valid and every query has the placeholders it needs' };
}

function unchanged(object: TemplateObject, verdict: Verdict): boolean {
  const ready = object.status?.conditions.find((c) => c.type === 'Ready');
  const generation = object.metadata.generation ?? 0;
  return ready !== undefined && ready.status === (verdict.ok ? 'True' : 'False') && ready.message === verdict.message && object.status?.observedGeneration === generation;
}

/** Validates one template and writes its Ready condition (and an Event when it is not usable). */
export async function reconcileTemplate(deps: ReconcileDeps, ref: TemplateRef): Promise<{ requeueAfterMs: number | null }> {
  const object = await deps.cluster.getAnalysisTemplate(ref);
  if (object === null) return { requeueAfterMs: null };
  const verdict = verdictOf(deps, checkTemplateObject(object));
  if (unchanged(object, verdict)) return { requeueAfterMs: null };
  const generation = object.metadata.generation ?? 0;
  const condition = { type: 'Ready', status: verdict.ok ? 'True' : 'False', reason: verdict.reason, message: verdict.message, observedGeneration: generation } as const;
  const conditions = setCondition(object.status?.conditions ?? [], condition, deps.clock.now());
  await deps.cluster.updateAnalysisTemplateStatus({ ...object, status: { observedGeneration: generation, conditions } });
  if (!verdict.ok) {
    deps.log.warn({ template: templateLabel(ref) }, verdict.message);
    await deps.cluster.recordEvent({ canary: object, severity: 'Warning', reason: 'TemplateInvalid', message: `${templateLabel(ref)}: ${verdict.message}` });
  }
  return { requeueAfterMs: null };
}
