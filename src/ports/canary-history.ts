// Converts between the core's History (rows of looks, times in ms) and `status.history`
// (comma-separated columns, RFC3339 times). Pure: historyFromStatus(historyToStatus(h)) equals h.
// `decodeRun` gives readers (dashboard, report) the columns as arrays.
import type { History, Look, LookSide, RunHistory } from '../core/history-types.ts';
import type { Phase } from '../core/types.ts';
import type { HistoryStatus, RunHistoryStatus } from './history-schema.ts';

type Column = readonly (number | null)[];

/** A run's looks by column, as arrays of the same length (null: no value at that look). */
export interface DecodedLooks {
  readonly atMs: readonly number[];
  readonly weight: readonly number[];
  readonly step: readonly number[];
  readonly phase: readonly string[];
  readonly canaryRequests: Column;
  readonly primaryRequests: Column;
  readonly canaryEvents: Readonly<Record<string, Column>>;
  readonly primaryEvents: Readonly<Record<string, Column>>;
  readonly evidence: Readonly<Record<string, Column>>;
  readonly notes: readonly { readonly look: number; readonly text: string }[];
}

export type DecodedRun = Omit<RunHistoryStatus, 'looks'> & { readonly looks: DecodedLooks };

function encode(values: Column): string {
  return values.map((v) => (v === null ? '' : String(v))).join(',');
}

function decode(text: string, length: number): (number | null)[] {
  if (length === 0) return [];
  const values = text.split(',').map((v) => (v === '' ? null : Number(v)));
  return Array.from({ length }, (_, i) => values[i] ?? null);
}

function decodeAll(columns: Readonly<Record<string, string>>, length: number): Record<string, (number | null)[]> {
  return Object.fromEntries(Object.entries(columns).map(([name, text]) => [name, decode(text, length)]));
}

/** The columns of a stored run as arrays. */
export function decodeRun(run: RunHistoryStatus): DecodedRun {
  const { looks } = run;
  const length = looks.atMs === '' ? 0 : looks.atMs.split(',').length;
  const numbers = (text: string): number[] => decode(text, length).map((v) => v ?? 0);
  return {
    ...run,
    looks: {
      atMs: numbers(looks.atMs),
      weight: numbers(looks.weight),
      step: numbers(looks.step),
      phase: length === 0 ? [] : looks.phase.split(','),
      canaryRequests: decode(looks.canaryRequests, length),
      primaryRequests: decode(looks.primaryRequests, length),
      canaryEvents: decodeAll(looks.canaryEvents, length),
      primaryEvents: decodeAll(looks.primaryEvents, length),
      evidence: decodeAll(looks.evidence, length),
      notes: looks.notes,
    },
  };
}

function names(looks: readonly Look[], pick: (look: Look) => Readonly<Record<string, number>> | undefined): string[] {
  return [...new Set(looks.flatMap((look) => Object.keys(pick(look) ?? {})))];
}

function columns(looks: readonly Look[], pick: (look: Look) => Readonly<Record<string, number>> | undefined): Record<string, string> {
  return Object.fromEntries(names(looks, pick).map((name) => [name, encode(looks.map((l) => pick(l)?.[name] ?? null))]));
}

function looksToStatus(run: RunHistory): RunHistoryStatus['looks'] {
  const { looks } = run;
  return {
    atMs: encode(looks.map((l) => Math.max(0, Math.round(l.at - run.startedAt)))),
    weight: encode(looks.map((l) => l.weight)),
    step: encode(looks.map((l) => l.step)),
    phase: looks.map((l) => l.phase).join(','),
    canaryRequests: encode(looks.map((l) => l.canary?.requests ?? null)),
    primaryRequests: encode(looks.map((l) => l.primary?.requests ?? null)),
    canaryEvents: columns(looks, (l) => l.canary?.events),
    primaryEvents: columns(looks, (l) => l.primary?.events),
    evidence: columns(looks, (l) => l.evidence),
    notes: looks.flatMap((l, look) => (l.note === null ? [] : [{ look, text: l.note }])),
  };
}

/** The values of each name at one look, without the names that have none there. */
function valuesAt(byName: Readonly<Record<string, Column>>, index: number): Record<string, number> {
  return Object.fromEntries(Object.entries(byName).flatMap(([name, values]) => {
    const value = values[index];
    return value === null || value === undefined ? [] : [[name, value] as const];
  }));
}

function sideAt(requests: Column, events: Readonly<Record<string, Column>>, index: number): LookSide | null {
  const count = requests[index];
  if (count === null || count === undefined) return null;
  return { requests: count, events: valuesAt(events, index) };
}

function looksFromStatus(looks: DecodedLooks, startedAt: number): Look[] {
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

/** A stored run's start (ms) and revision, without decoding its looks; a start that does not parse reads as 0. */
export function runStartOf(run: RunHistoryStatus): { startedAt: number; revision: string } {
  return { startedAt: Date.parse(run.startedAt) || 0, revision: run.revision };
}

/** A run as the core holds it; null for none. Times that do not parse read as 0. */
export function runFromStatus(run: RunHistoryStatus | null): RunHistory | null {
  if (run === null) return null;
  const { startedAt } = runStartOf(run);
  const endedAt = run.endedAt === null ? null : Date.parse(run.endedAt) || 0;
  const { revision, outcome, rollbackAt, thinned } = run;
  return { revision, startedAt, endedAt, outcome, rollbackAt, thinned, looks: looksFromStatus(decodeRun(run).looks, startedAt) };
}

export function historyToStatus(history: History): HistoryStatus {
  return { current: runToStatus(history.current), last: runToStatus(history.last) };
}

export function historyFromStatus(status: HistoryStatus): History {
  return { current: runFromStatus(status.current), last: runFromStatus(status.last) };
}
