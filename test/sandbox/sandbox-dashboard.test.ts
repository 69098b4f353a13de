// The sandbox serves the dashboard and prints its address; with --keep it stays up, showing
// the scenario's release and its history (the latency scenario: one release, rolled back within
// seconds at speed 2; the never-ready one waits for its progress deadline, a minute).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSandbox } from '../../src/sandbox/run.ts';

describe('the sandbox dashboard', { timeout: 240_000 }, () => {
  it('prints the dashboard address, which lists the release and its history while --keep holds', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-sandbox-dashboard-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const stop = new AbortController();
    let printed = '';
    let rows: Array<{ name: string; phase: string }> = [];
    let looks = 0;
    await runSandbox({
      scenario: 'latency', seed: 1, speed: 2, metrics: 'direct', isTty: false, keep: true,
      kubeconfigPath: join(dir, 'kubeconfig'), signal: stop.signal,
      write: (text) => {
        printed += text;
      },
      onKeep: async () => {
        const url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed)?.[1];
        assert.ok(url !== undefined, printed);
        rows = (await (await fetch(`${url}api/releases`)).json()) as typeof rows;
        const view = (await (await fetch(`${url}api/releases/default/podinfo`)).json()) as { run: { looks: { atMs: number[] } } | null };
        looks = view.run?.looks.atMs.length ?? 0;
        stop.abort();
      },
    });
    assert.deepEqual(rows.map((r) => `${r.name} ${r.phase}`), ['podinfo Failed']);
    assert.ok(looks >= 2, `${looks} looks recorded`);
    assert.match(printed, /dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(or run `fledge dashboard -n default --kubeconfig /);
  });
});
