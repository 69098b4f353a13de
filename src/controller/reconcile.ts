// One reconcile of one annotated Deployment: re-read the world, decide, act, write status once,
// and say when to look again. Level-based and idempotent; the work queue owns retries.
import type { V1Deployment } from '@kubernetes/client-node';
import { decide } from '../core/decide.ts';
import { advanceInMs } from '../core/schedule.ts';
import type { CanaryState } from '../core/state.ts';
import type { CanaryObject, RouteShape } from '../ports.ts';
import { summarizeIssues } from '../config/annotations.ts';
import { parsedAnnotations } from './parsed-annotations.ts';
import { toCanarySpec, type CanaryConfig } from '../config/canary-config.ts';
import { targetIssues } from '../config/target-checks.ts';
import { routeRefOf, type AppContext, type ReconcileDeps } from './context.ts';
import { applyActions } from './apply.ts';
import { handBack } from './hand-back.ts';
import { holdRelease } from './held.ts';
import { canaryAnnotation, namesOf, replicasAnnotation, type AppNames } from './names.ts';
import { observe } from './observe.ts';
import { ownerRef } from './objects.ts';
import { conditionsFor, recordHistory, stateOf, type ConfigIssue } from './status.ts';
import { trackedRefs } from './tracked.ts';
import { commitStatus } from './outbox.ts';
import { hookRefusals } from './hook-checks.ts';
import { endedRelease } from './release-outcome.ts';
import { isShape, routeShapeOf } from './route-shape.ts';
import { appAnalysis, type AppAnalysis } from './app-analysis.ts';
import { pinAfter } from './analysis-pin.ts';
import { prometheusRefusal } from './prometheus-checks.ts';
import { jsonEqual } from '../core/json-equal.ts';

export interface ReconcileResult {
  readonly requeueAfterMs: number | null;
  /** When the step may advance (its bake ends), from now; null when no advance is scheduled (work-queue.ts runs those ahead of routine looks). */
  readonly advanceAfterMs?: number | null;
}

/** The router a Canary's spec names (null: none yet). */
function routerOf(canary: CanaryObject | null): string | null {
  const router = (canary?.spec as { router?: unknown } | undefined)?.router;
  return typeof router === 'string' ? router : null;
}

/**
 * The app's Canary, created when missing, and the router its spec named before this reconcile
 * (null: none yet; a switch leaves the other router's route behind). `spec` (the resolved config;
 * null when the annotations do not parse) is kept current: a changed annotation, strategy or
 * template writes it again.
 */
async function ensureCanary(deps: ReconcileDeps, target: V1Deployment, names: AppNames, resolved: Record<string, unknown> | null): Promise<{ canary: CanaryObject; priorRouter: string | null }> {
  const stored = await deps.cluster.getCanary(names.namespace, names.app);
  const existing = stored === null || deps.looks === undefined ? stored : deps.looks.current(stored);
  const spec = { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment' as const, name: names.app }, ...resolved };
  if (existing !== null) {
    const priorRouter = routerOf(existing);
    const canary = resolved === null || jsonEqual(existing.spec, spec) ? existing : await deps.cluster.updateCanary({ ...existing, spec });
    return { canary, priorRouter };
  }
  const owner = ownerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: target.metadata ?? {} });
  const canary = await deps.cluster.createCanary({
    apiVersion: 'fledge.dev/v1alpha1',
    kind: 'Canary',
    metadata: {
      name: names.app,
      namespace: names.namespace,
      ownerReferences: [owner],
      annotations: { [replicasAnnotation]: String(Math.max(1, target.spec?.replicas ?? 1)) },
    },
    spec,
  });
  return { canary, priorRouter: null };
}

/** A bad annotation or Deployment: say so on the Canary and in an Event; move nothing. */
async function configInvalid(deps: ReconcileDeps, input: { target: V1Deployment; names: AppNames; issue: ConfigIssue; resolved: Record<string, unknown> | null }): Promise<ReconcileResult> {
  const { canary } = await ensureCanary(deps, input.target, input.names, input.resolved);
  return holdRelease(deps, { ...input, canary });
}

type Resolved = Extract<AppAnalysis, { kind: 'ok' }> | null;

interface ContextInput { names: AppNames; target: V1Deployment; canary: CanaryObject; config: CanaryConfig; shape: RouteShape | undefined; analysis: Resolved; priorRouter: string | null }

function contextFor(deps: ReconcileDeps, input: ContextInput): AppContext {
  const { shape, ...rest } = input;
  const route = routeRefOf(input.names, input.canary);
  // A controller that is behind looks once per interval (look-pace.ts); the Canary's spec still says what was asked.
  const config = deps.pace === undefined ? input.config : { ...input.config, policy: deps.pace.paced(input.config.policy) };
  return {
    deps,
    ...rest,
    config,
    router: deps.routerFor(input.config.router),
    route: shape === undefined ? route : { ...route, shape },
    log: deps.log.child({ canary: `${input.names.namespace}/${input.names.app}` }),
  };
}

function outcomeOf(state: CanaryState): string {
  if (state.phase === 'Failed') return 'rollback';
  return state.phase === 'Paused' && state.pausedBy !== null ? `pause:${state.pausedBy}` : 'continue';
}

function report(ctx: AppContext, state: CanaryState, judged: boolean): void {
  const telemetry = ctx.deps.telemetry;
  if (telemetry === undefined) return;
  telemetry.canary(ctx.names, state.phase, state.canaryWeight);
  if (!judged) return;
  telemetry.verdict(outcomeOf(state));
  telemetry.evidence?.(ctx.names, (state.evidence?.metrics ?? []).map((m) => ({ metric: m.name, harm: m.harm, safe: m.safe })));
}

/** The pinned template to write after the decision, announcing an edit the run does not take up. */
async function analysisPin(ctx: AppContext, after: CanaryState): Promise<{ analysis?: ReturnType<typeof pinAfter> }> {
  const resolved = ctx.analysis;
  if (resolved === null) return {};
  const { picked, current } = resolved;
  if (picked.edit !== null) await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Normal', reason: 'AnalysisTemplateChanged', message: picked.edit });
  return { analysis: pinAfter(picked, current, after) };
}

async function release(ctx: AppContext): Promise<ReconcileResult> {
  const now = ctx.deps.clock.now();
  const state = stateOf(ctx.canary);
  const observed = await observe(ctx, state, now);
  if (observed.kind === 'foreign') {
    const message = `${observed.objects.join('; ')}: not Fledge's, so nothing is created or changed for ${ctx.names.app}; delete or rename them, or rename the app`;
    return holdRelease(ctx.deps, { ...ctx, issue: { reason: 'ForeignObject', message } });
  }
  const { world } = observed;
  const decision = decide(state, world.observation, ctx.config.policy, now);
  const history = recordHistory(ctx.canary, { before: state, after: decision.state, interval: world.observation.interval, policy: ctx.config.policy, now });
  const notices = await applyActions(ctx, { world, state: decision.state, actions: decision.actions, now });
  const targetGeneration = ctx.target.metadata?.generation ?? 0;
  const hooks = Object.keys(ctx.config.hooks.urls).length > 0;
  const conditions = conditionsFor({ state: decision.state, targetRevision: world.observation.targetRevision, configIssue: null, hooks });
  await commitStatus(ctx, { state: decision.state, conditions, targetGeneration, now, notices, history, ...(await analysisPin(ctx, decision.state)) });
  report(ctx, decision.state, world.observation.interval !== null);
  const ended = endedRelease({ before: state, after: decision.state, actions: decision.actions, now });
  if (ended !== null) ctx.deps.telemetry?.released?.(ctx.names, ended);
  return { requeueAfterMs: decision.requeueAfterMs, advanceAfterMs: advanceInMs(decision.state, ctx.config.policy, now) };
}

/** A Deployment Fledge cannot derive valid objects from, or a hook the allow-list refuses; null when neither. */
function configProblem(deps: ReconcileDeps, target: V1Deployment, config: CanaryConfig): ConfigIssue | null {
  const targetProblems = targetIssues(target, trackedRefs(target.spec?.template ?? {}, config.track));
  if (targetProblems.length > 0) return { reason: 'InvalidTarget', message: targetProblems.join('; ') };
  const refused = hookRefusals(config, deps.webhookAllowList ?? []);
  if (refused !== null) return { reason: 'HookNotAllowed', message: refused };
  return prometheusRefusal(deps, config.analysis);
}

/** An issue keeps the resolved spec when the annotations parsed (the Canary's spec stays current), else null. */
type Configured = { readonly kind: 'issue'; readonly issue: ConfigIssue; readonly resolved: Record<string, unknown> | null } | { readonly kind: 'ok'; readonly config: CanaryConfig; readonly shape: RouteShape | undefined; readonly analysis: Resolved };

/** The app's configuration (its annotations, analysis template and route's shape), or what is wrong with it. */
async function configure(deps: ReconcileDeps, input: { names: AppNames; target: V1Deployment; annotations: Readonly<Record<string, string>> }): Promise<Configured> {
  const { names, target, annotations } = input;
  const analysis = await appAnalysis(deps, { namespace: names.namespace, app: names.app, annotations });
  if (analysis.kind === 'issue') return { kind: 'issue', issue: analysis.issue, resolved: null };
  const parsed = parsedAnnotations(annotations, analysis.catalog);
  if (!parsed.ok) return { kind: 'issue', issue: { reason: 'InvalidAnnotation', message: summarizeIssues(parsed.issues) }, resolved: null };
  const resolved = toCanarySpec(parsed.config);
  const problem = configProblem(deps, target, parsed.config);
  if (problem !== null) return { kind: 'issue', issue: problem, resolved };
  const shape = await routeShapeOf(deps, { names, target, config: parsed.config });
  if (shape !== undefined && !isShape(shape)) return { kind: 'issue', issue: shape, resolved };
  return { kind: 'ok', config: parsed.config, shape, analysis: analysis.kind === 'ok' ? analysis : null };
}

/** Reconciles the app `namespace/name` (the annotated Deployment's name). */
export async function reconcile(deps: ReconcileDeps, key: { namespace: string; name: string }): Promise<ReconcileResult> {
  const names = namesOf(key.namespace, key.name);
  const target = await deps.cluster.getDeployment(key.namespace, key.name);
  // Deleted: the Canary and everything it owns go with it (owner references); so do its hook answers.
  if (target === null) {
    deps.hooks.forget(`${key.namespace}/${key.name}`);
    deps.looks?.drop(key.namespace, key.name);
    return { requeueAfterMs: null };
  }
  const annotations = target.metadata?.annotations ?? {};
  if (annotations[canaryAnnotation] !== 'true') return handBack(deps, { target, names });
  const configured = await configure(deps, { names, target, annotations });
  if (configured.kind === 'issue') return configInvalid(deps, { target, names, issue: configured.issue, resolved: configured.resolved });
  const { config, shape, analysis } = configured;
  const { canary, priorRouter } = await ensureCanary(deps, target, names, toCanarySpec(config));
  return release(contextFor(deps, { names, target, canary, config, shape, analysis, priorRouter }));
}
