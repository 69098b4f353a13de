// The outbox (status.outbox): the notices a reconcile decided are written in the same status write
// as the state that decided them, and handed to the notifier only once that write succeeded. A
// crash loses both or keeps both; whatever an outbox still holds is handed over again after a
// restart, with the same key (at least once). Delivered keys leave at the next reconcile; entries
// beyond the bound or older than a day are dropped with a warning Event and log line.
import { createHash } from 'node:crypto';
import type { CanaryObject, OutboxEntry, OutboxNotice, ReleaseNotice } from '../ports.ts';
import { outboxLimits, updateOutbox, type OutboxDrop, type OutboxItem } from '../core/outbox.ts';
import { inRun } from '../core/transitions.ts';
import type { AppContext } from './context.ts';
import type { AppNames } from './names.ts';
import { writeStatus, type OutboxPart, type StatusInput } from './status.ts';
import { holdSpanMs } from './held-looks.ts';

type EntryBody = Omit<OutboxEntry, 'key' | 'queuedAt'>;

export interface CommitInput extends Omit<StatusInput, 'outbox'> {
  /** Notices this reconcile decided, in order. */
  readonly notices: readonly ReleaseNotice[];
}

/**
 * The key of a Canary object's `seq`-th notice: 32 hex digits, the same every time it is
 * computed, different for every other (Canary uid, seq) — so also across a deleted and
 * recreated Canary of the same name.
 */
export function outboxKey(input: { uid: string; namespace: string; name: string; seq: number }): string {
  const text = ['fledge-notice', input.uid, input.namespace, input.name, String(input.seq)].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function bodyOf(notice: ReleaseNotice): EntryBody {
  return {
    revision: notice.revision,
    phase: notice.phase,
    canaryWeight: notice.canaryWeight,
    reason: notice.reason,
    message: notice.message.slice(0, 1000),
    severity: notice.severity,
    slackChannel: notice.slackChannel ?? null,
    webhooks: [...(notice.webhooks ?? [])],
    hook: notice.hook === undefined ? null : { ...notice.hook, evidence: [...notice.hook.evidence] },
  };
}

function itemOf(entry: OutboxEntry): OutboxItem<EntryBody> {
  const { key, queuedAt, ...payload } = entry;
  return { key, queuedAt: Date.parse(queuedAt), payload };
}

function entryOf(item: OutboxItem<EntryBody>): OutboxEntry {
  return { key: item.key, queuedAt: new Date(item.queuedAt).toISOString(), ...item.payload };
}

/** An entry as the notifier takes it; the Canary's names complete the notice. */
export function noticeOf(names: AppNames, entry: OutboxEntry): OutboxNotice {
  const { key, queuedAt, slackChannel, hook, ...fields } = entry;
  const channel = slackChannel === null ? {} : { slackChannel };
  const target = hook === null ? {} : { hook };
  return { key, notice: { namespace: names.namespace, name: names.app, ...fields, at: Date.parse(queuedAt), ...channel, ...target } };
}

function dropMessage(dropped: readonly OutboxDrop<EntryBody>[]): string {
  const reasons = (why: string): string => dropped.filter((d) => d.why === why).map((d) => d.item.payload.reason).join(', ');
  const parts = [
    reasons('full') === '' ? null : `outbox full (at most ${outboxLimits.maxEntries}): ${reasons('full')}`,
    reasons('expired') === '' ? null : `older than ${outboxLimits.maxAgeMs / 3_600_000}h: ${reasons('expired')}`,
  ];
  return `dropped ${dropped.length} undelivered notice(s); ${parts.filter((p) => p !== null).join('; ')}`;
}

/** A warning per dropped entry in the log, and one Event per write. Never throws. */
async function reportDropped(ctx: AppContext, dropped: readonly OutboxDrop<EntryBody>[]): Promise<void> {
  for (const { item, why } of dropped) {
    ctx.log.warn({ key: item.key, reason: item.payload.reason, why }, 'undelivered notice dropped from the outbox');
  }
  try {
    await ctx.deps.cluster.recordEvent({ canary: ctx.canary, severity: 'Warning', reason: 'NoticesDropped', message: dropMessage(dropped) });
  } catch (error) {
    ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not record the NoticesDropped Event');
  }
}

/**
 * Writes status (skipped when unchanged) with the outbox updated: delivered keys removed,
 * `notices` appended, bound and age enforced. During a run, removing delivered keys alone is no
 * reason to write: they leave with the run's next status write (at least once still holds). Then hands every entry not in flight to the
 * notifier — also when no write was needed, which is how entries survive a restart.
 */
export async function commitStatus(ctx: AppContext, input: CommitInput): Promise<void> {
  const { names, deps } = ctx;
  const app = `${names.namespace}/${names.app}`;
  let dropped: readonly OutboxDrop<EntryBody>[] = [];
  const outbox = (base: CanaryObject, delivered: ReadonlySet<string>): OutboxPart => {
    const update = updateOutbox({
      items: (base.status?.outbox ?? []).map(itemOf),
      seq: base.status?.noticeSeq ?? 0,
      added: input.notices.map(bodyOf),
      delivered,
      now: input.now,
      keyOf: (seq) => outboxKey({ uid: base.metadata.uid ?? '', namespace: names.namespace, name: names.app, seq }),
    });
    dropped = update.dropped;
    return { outbox: update.items.map(entryOf), noticeSeq: update.seq };
  };
  const { notices: _notices, ...status } = input;
  const tidied = (base: CanaryObject): OutboxPart => outbox(base, deps.deliveries.delivered(app));
  // During a run the next step's write comes soon: delivered entries leave with it rather than
  // in a write of their own. Outside a run they leave at once (a restart would send them again).
  const deferred = inRun(input.state) ? { outbox: (base: CanaryObject) => outbox(base, new Set()), tidied } : { outbox: tidied };
  const looks = deps.looks;
  const hold = looks === undefined ? {} : { hold: (base: CanaryObject, next: CanaryObject) => looks.hold(base, next, holdSpanMs(ctx.config.policy)) };
  const result = await writeStatus(deps.cluster, ctx.canary, { ...status, ...deferred, ...hold });
  if (result.written) looks?.drop(names.namespace, names.app);
  const entries = (result.canary.status?.outbox ?? []).map((entry) => noticeOf(names, entry));
  deps.deliveries.handOver({ app, entries, notifier: deps.notifier, log: ctx.log });
  if (result.written && dropped.length > 0) await reportDropped(ctx, dropped);
}
