// Carries out a Decision's actions in order, stopping at the first failure (the error goes to
// the work queue, which retries with backoff; the next reconcile decides again from the world).
// Event actions also yield release notices, which go out through the outbox (outbox.ts) once
// the status write that records them has succeeded.
import type { Action } from '../core/state.ts';
import type { CanaryState } from '../core/state.ts';
import type { ReleaseNotice } from '../ports.ts';
import type { AppContext } from './context.ts';
import { primaryFromTarget, type World } from './observe.ts';
import { filterTargets, refusalMessage } from './allow-list.ts';
import { evidenceSummary, hookKey, hookPayload, runOf } from './hook-payload.ts';

async function promotePrimary(ctx: AppContext, world: World, revision: string): Promise<void> {
  const { cluster } = ctx.deps;
  const body = await primaryFromTarget(ctx, { revision, replicas: world.observation.desiredReplicas, tracked: world.tracked });
  if (world.primary === null) {
    await cluster.createDeployment(body);
    return;
  }
  const resourceVersion = world.primary.metadata?.resourceVersion;
  await cluster.replaceDeployment({ ...body, metadata: { ...body.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) } });
}

/** The notice for people, naming only webhooks the operator allows; a refusal is an Event. */
/** What every notice says about the app and its run. */
function noticeOf(ctx: AppContext, state: CanaryState): Pick<ReleaseNotice, 'namespace' | 'name' | 'revision' | 'phase' | 'canaryWeight'> {
  return { namespace: ctx.names.namespace, name: ctx.names.app, revision: state.revision ?? '', phase: state.phase, canaryWeight: state.canaryWeight };
}

async function notice(ctx: AppContext, state: CanaryState, action: Extract<Action, { kind: 'event' }>, now: number): Promise<ReleaseNotice> {
  const targets = filterTargets(ctx.config.webhooks, ctx.deps.webhookAllowList ?? []);
  const refused = refusalMessage(targets.refused);
  if (refused !== null) await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Warning', reason: 'WebhookRefused', message: refused });
  return {
    ...noticeOf(ctx, state),
    reason: action.reason,
    message: action.message,
    severity: action.severity,
    at: now,
    ...(ctx.config.slackChannel === null ? {} : { slackChannel: ctx.config.slackChannel }),
    webhooks: targets.allowed,
  };
}

/** Starts a gate or guardrail hook call in the background (at most one per run, hook and look). */
function callHook(ctx: AppContext, input: { state: CanaryState; action: Extract<Action, { kind: 'call-hook' }>; now: number }): void {
  const { state, action } = input;
  const url = ctx.config.hooks.urls[action.hook];
  if (url === undefined) return;
  const run = runOf(state);
  const key = hookKey({ uid: ctx.canary.metadata.uid ?? '', run, hook: action.hook, look: action.look });
  const payload = hookPayload(ctx, { state, hook: action.hook, look: action.look, now: input.now });
  const app = `${ctx.names.namespace}/${ctx.names.app}`;
  ctx.deps.hooks.call({ app, run, hook: action.hook, look: action.look, request: { key, url, payload, timeoutMs: ctx.config.hooks.timeoutMs } });
  ctx.log.info({ hook: action.hook, look: action.look }, 'hook called');
}

/** The outcome hook's notice: to that hook only, through the outbox (at least once). */
function hookNotice(ctx: AppContext, state: CanaryState, action: Extract<Action, { kind: 'notify-hook' }>, now: number): ReleaseNotice | null {
  const url = ctx.config.hooks.urls[action.hook];
  if (url === undefined) return null;
  const outcome = action.hook === 'post-rollout' ? 'promoted' : 'rolled back';
  return {
    ...noticeOf(ctx, state),
    reason: action.hook === 'post-rollout' ? 'PostRolloutHook' : 'RollbackHook',
    message: `revision ${state.revision ?? ''} ${outcome}: ${state.message}`,
    severity: 'Normal',
    at: now,
    hook: { name: action.hook, url, step: Math.max(0, state.step + 1), steps: ctx.config.policy.steps.length, evidence: evidenceSummary(state), timeoutMs: ctx.config.hooks.timeoutMs },
  };
}

async function applyOne(ctx: AppContext, input: { world: World; state: CanaryState; action: Action; now: number }): Promise<ReleaseNotice | null> {
  const { action, world, state } = input;
  switch (action.kind) {
    case 'route':
      await ctx.router.write(ctx.route, action.canaryWeight);
      ctx.log.info({ canaryWeight: action.canaryWeight }, 'routed');
      return null;
    case 'scale-target':
      await ctx.deps.cluster.scaleDeployment(ctx.names.namespace, ctx.names.app, action.replicas);
      ctx.log.info({ replicas: action.replicas }, 'scaled canary');
      return null;
    case 'promote-primary':
      await promotePrimary(ctx, world, action.revision);
      ctx.log.info({ revision: action.revision }, 'copied canary spec to primary');
      return null;
    case 'call-hook':
      callHook(ctx, { state, action, now: input.now });
      return null;
    case 'notify-hook':
      return hookNotice(ctx, state, action, input.now);
    case 'event': {
      ctx.log.info({ reason: action.reason, severity: action.severity }, action.message);
      const told = await notice(ctx, state, action, input.now);
      await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: action.severity, reason: action.reason, message: action.message });
      return told;
    }
  }
}

/** Applies actions in order; the first failure stops the rest and is thrown. Returns the notices of the event actions. */
export async function applyActions(ctx: AppContext, input: { world: World; state: CanaryState; actions: readonly Action[]; now: number }): Promise<ReleaseNotice[]> {
  const notices: ReleaseNotice[] = [];
  for (const action of input.actions) {
    const told = await applyOne(ctx, { world: input.world, state: input.state, action, now: input.now });
    if (told !== null) notices.push(told);
  }
  return notices;
}
