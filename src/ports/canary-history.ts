// Converts between the core's History (rows of looks, times in ms) and `status.history`
// (columns, RFC3339 times). Pure: historyFromStatus(historyToStatus(h)) equals h.
import type { History, Look, LookSide, RunHistory } from '../core/history-types.ts';
import type { Phase } from '../core/types.ts';
import type { HistoryStatus, RunHistoryStatus } from './history-schema.ts';

type Looks = RunHistoryStatus['looks'];

function names(looks: readonly Look[], pick: (look: Look) => Readonly<Record<string, number>> | undefined): string[] {
  return [...new Set(looks.flatMap((look) => Object.keys(pick(look) ?? {})))];
}

function eventColumns(looks: readonly Look[], side: (look: Look) => LookSide | null): Record<string, (number | null)[]> {
  return Object.fromEntries(names(looks, (l) => side(l)?.events).map((name) => [name, looks.map((l) => side(l)?.events[name] ?? null)]));
}

function looksToStatus(run: RunHistory): Looks {
  const { looks } = run;
  return {
    atMs: looks.map((l) => Math.max(0, Math.round(l.at - run.startedAt))),
    weight: looks.map((l) => l.weight),
    step: looks.map((l) => l.step),
    phase: looks.map((l) => l.phase),
    canaryRequests: looks.map((l) => l.canary?.requests ?? null),
    primaryRequests: looks.map((l) => l.primary?.requests ?? null),
    canaryEvents: eventColumns(looks, (l) => l.canary),
    primaryEvents: eventColumns(looks, (l) => l.primary),
    evidence: Object.fromEntries(names(looks, (l) => l.evidence).map((name) => [name, looks.map((l) => l.evidence[name] ?? null)])),
    notes: looks.flatMap((l, look) => (l.note === null ? [] : [{ look, text: l.note }])),
  };
}

/** The values of each name at one look, without the names that have none there. */
function valuesAt(columns: Readonly<Record<string, readonly (number | null)[]>>, index: number): Record<string, number> {
  return Object.fromEntries(Object.entries(columns).flatMap(([name, values]) => {
    const value = values[index];
    return value === null || value === undefined ? [] : [[name, value] as const];
  }));
}

function sideAt(requests: readonly (number | null)[], events: Readonly<Record<string, readonly (number | null)[]>>, index: number): LookSide | null {
  const count = requests[index];
  if (count === null || count === undefined) return null;
  return { requests: count, events: valuesAt(events, index) };
}

function looksFromStatus(looks: Looks, startedAt: number): Look[] {
  const notes = new Map(looks.notes.map((n) => [n.look, n.text]));
  return looks.atMs.map((at, index) => ({
    at: startedAt + at,
    weight: looks.weight[index] ?? 0,
    step: looks.step[index] ?? 0,
    phase: (looks.phase[index] ?? 'Progressing') as Phase,
    canary: sideAt(looks.canaryRequests, looks.canaryEvents, index),
    primary: sideAt(looks.primaryRequests, looks.primaryEvents, index),
    evidence: valuesAt(looks.evidence, index),
    note: notes.get(index) ?? null,
  }));
}

function runToStatus(run: RunHistory | null): RunHistoryStatus | null {
  if (run === null) return null;
  const endedAt = run.endedAt === null ? null : new Date(run.endedAt).toISOString();
  const { revision, outcome, rollbackAt, thinned } = run;
  return { revision, startedAt: new Date(run.startedAt).toISOString(), endedAt, outcome, rollbackAt, thinned, looks: looksToStatus(run) };
}

/** A run as the core holds it; null for none. Times that do not parse read as 0. */
export function runFromStatus(run: RunHistoryStatus | null): RunHistory | null {
  if (run === null) return null;
  const startedAt = Date.parse(run.startedAt) || 0;
  const endedAt = run.endedAt === null ? null : Date.parse(run.endedAt) || 0;
  const { revision, outcome, rollbackAt, thinned } = run;
  return { revision, startedAt, endedAt, outcome, rollbackAt, thinned, looks: looksFromStatus(run.looks, startedAt) };
}

export function historyToStatus(history: History): HistoryStatus {
  return { current: runToStatus(history.current), last: runToStatus(history.last) };
}

export function historyFromStatus(status: HistoryStatus): History {
  return { current: runFromStatus(status.current), last: runFromStatus(status.last) };
}
