// What the dashboard and the report show of a Canary: a row of the list, and a release's view
// (its status, the looks of its current or last run, its Events). Plain data, JSON as it goes
// to the browser; the plots are drawn there from it (plots-script.ts).
import type { CoreV1Event } from '@kubernetes/client-node';
import { parseStatus, type CanaryObject, type CanaryStatus } from '../adapters/kube/canary-resource.ts';
import { decodeRun, type DecodedRun } from '../ports/canary-history.ts';

/** One release in the list. */
export interface ReleaseRow {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly weight: number;
  /** "2/3", or "-" when no step is running. */
  readonly step: string;
  readonly revision: string;
  readonly pausedBy: string;
  /** The decision's sentence (`status.message`). */
  readonly message: string;
}

export interface EventMark {
  /** ms since the epoch. */
  readonly at: number;
  readonly reason: string;
  readonly type: string;
  readonly message: string;
}

/** One release's page: the row, the run to plot (current, else last) and its Events. */
export interface ReleaseView {
  readonly row: ReleaseRow;
  /** Which run `run` is; null when the Canary has no run yet. */
  readonly which: 'current' | 'last' | null;
  readonly run: DecodedRun | null;
  /** The last finished run, when the current one is plotted. */
  readonly last: DecodedRun | null;
  readonly events: readonly EventMark[];
  /** Verbs that apply now (the buttons that are enabled). */
  readonly verbs: readonly string[];
}

const blank = parseStatus({}) as CanaryStatus;

export function statusOf(canary: CanaryObject): CanaryStatus {
  return canary.status ?? blank;
}

function stepText(canary: CanaryObject, status: CanaryStatus): string {
  if (status.step === null) return '-';
  const steps: unknown = canary.spec['steps'];
  return Array.isArray(steps) ? `${status.step}/${steps.length}` : String(status.step);
}

export function rowOf(canary: CanaryObject): ReleaseRow {
  const status = statusOf(canary);
  return {
    namespace: canary.metadata.namespace ?? '',
    name: canary.metadata.name ?? '',
    phase: canary.statusInvalid === true ? 'Unknown' : status.phase,
    weight: status.canaryWeight,
    step: stepText(canary, status),
    revision: status.revision ?? '-',
    pausedBy: status.pausedBy ?? '-',
    message: status.message,
  };
}

function timeOf(event: CoreV1Event): number {
  const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime();
}

/** The Canary's Events, oldest first. */
export function eventMarks(canary: CanaryObject, events: readonly CoreV1Event[]): EventMark[] {
  const name = canary.metadata.name ?? '';
  return events
    .filter((e) => e.involvedObject.kind === 'Canary' && e.involvedObject.name === name)
    .map((e) => ({ at: timeOf(e), reason: e.reason ?? '', type: e.type ?? 'Normal', message: e.message ?? '' }))
    .sort((a, b) => a.at - b.at);
}

export function releaseView(input: { canary: CanaryObject; events: readonly CoreV1Event[]; verbs: readonly string[] }): ReleaseView {
  const { current, last } = statusOf(input.canary).history;
  const which = current !== null ? 'current' : last !== null ? 'last' : null;
  const shown = current ?? last;
  return {
    row: rowOf(input.canary),
    which,
    run: shown === null ? null : decodeRun(shown),
    last: current === null || last === null ? null : decodeRun(last),
    events: eventMarks(input.canary, input.events),
    verbs: input.verbs,
  };
}
