import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRun, historyFromStatus, historyToStatus } from '../../src/ports/canary-history.ts';
import { parseStatus } from '../../src/ports/canary-status.ts';
import type { History } from '../../src/core/history-types.ts';

const t0 = Date.parse('2026-11-23T10:00:00Z');
const history: History = {
  current: {
    revision: 'abc', startedAt: t0, endedAt: null, outcome: null, rollbackAt: 40, thinned: 3,
    looks: [
      { at: t0, weight: 0, step: 0, phase: 'Progressing', canary: null, primary: null, evidence: { errors: 1 }, note: 'waiting for the canary' },
      { at: t0 + 60_000, weight: 10, step: 1, phase: 'Progressing', canary: { requests: 120.5, events: { failures: 2, slow: 0 } }, primary: { requests: 1080, events: { failures: 1, slow: 3 } }, evidence: { errors: 1.7e12 }, note: null },
    ],
  },
  last: null,
};

describe('status.history', () => {
  it('stores one comma-separated line per quantity, empty where a look has no value, and reads back the same', () => {
    const stored = historyToStatus(history);
    assert.equal(stored.current?.looks.atMs, '0,60000');
    assert.equal(stored.current?.looks.canaryRequests, ',120.5');
    assert.deepEqual(stored.current?.looks.canaryEvents, { failures: ',2', slow: ',0' });
    assert.deepEqual(historyFromStatus(stored), history);
  });

  it('decodes the columns for readers, one value per look', () => {
    const run = decodeRun(historyToStatus(history).current!);
    assert.deepEqual(run.looks.atMs, [0, 60_000]);
    assert.deepEqual(run.looks.canaryRequests, [null, 120.5]);
    assert.deepEqual(run.looks.evidence, { errors: [1, 1.7e12] });
    assert.deepEqual(run.looks.phase, ['Progressing', 'Progressing']);
  });

  it('a history that does not read leaves the rest of the status readable, with no history', () => {
    const status = parseStatus({ phase: 'Progressing', revision: 'abc', history: { current: { revision: 'abc', looks: 'garbled' } } });
    assert.equal(status?.phase, 'Progressing');
    assert.deepEqual(status?.history, { current: null, last: null });
  });
});
