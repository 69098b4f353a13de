// Carries out a Decision's actions in order, stopping at the first failure (the error goes to
// the work queue, which retries with backoff; the next reconcile decides again from the world).
import type { Action } from '../core/state.ts';
import type { CanaryState } from '../core/state.ts';
import type { AppContext } from './context.ts';
import { primaryFromTarget, type World } from './observe.ts';
import { filterTargets, refusalMessage } from './allow-list.ts';

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

/** Tells people, but only through webhooks the operator allows; a refusal is an Event. */
async function notice(ctx: AppContext, state: CanaryState, action: Extract<Action, { kind: 'event' }>, now: number): Promise<void> {
  const targets = filterTargets(ctx.config.webhooks, ctx.deps.webhookAllowList ?? []);
  const refused = refusalMessage(targets.refused);
  if (refused !== null) await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Warning', reason: 'WebhookRefused', message: refused });
  ctx.deps.notifier.notify({
    namespace: ctx.names.namespace,
    name: ctx.names.app,
    revision: state.revision ?? '',
    phase: state.phase,
    canaryWeight: state.canaryWeight,
    reason: action.reason,
    message: action.message,
    severity: action.severity,
    at: now,
    ...(ctx.config.slackChannel === null ? {} : { slackChannel: ctx.config.slackChannel }),
    webhooks: targets.allowed,
  });
}

async function applyOne(ctx: AppContext, input: { world: World; state: CanaryState; action: Action; now: number }): Promise<void> {
  const { action, world, state } = input;
  switch (action.kind) {
    case 'route':
      await ctx.router.write(ctx.route, action.canaryWeight);
      ctx.log.info({ canaryWeight: action.canaryWeight }, 'routed');
      return;
    case 'scale-target':
      await ctx.deps.cluster.scaleDeployment(ctx.names.namespace, ctx.names.app, action.replicas);
      ctx.log.info({ replicas: action.replicas }, 'scaled canary');
      return;
    case 'promote-primary':
      await promotePrimary(ctx, world, action.revision);
      ctx.log.info({ revision: action.revision }, 'copied canary spec to primary');
      return;
    case 'event':
      ctx.log.info({ reason: action.reason, severity: action.severity }, action.message);
      await notice(ctx, state, action, input.now);
      await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: action.severity, reason: action.reason, message: action.message });
  }
}

/** Applies actions in order; the first failure stops the rest and is thrown. */
export async function applyActions(ctx: AppContext, input: { world: World; state: CanaryState; actions: readonly Action[]; now: number }): Promise<void> {
  for (const action of input.actions) {
    await applyOne(ctx, { world: input.world, state: input.state, action, now: input.now });
  }
}
