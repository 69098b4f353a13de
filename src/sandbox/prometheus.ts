// Debian's `prometheus` on 127.0.0.1 for the sandbox: a generated scrape config (the pods'
// exporter every second, honor_labels so pod labels stay as exported), a temporary data dir,
// and stop/start in place for the Prometheus-outage scenario (same port, same data).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const prometheusInstallHint = 'apt-get install prometheus';

/** True when a `prometheus` binary runs. */
export function prometheusInstalled(): boolean {
  return spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface SandboxPrometheus {
  readonly url: string;
  /** Stops the server but keeps its data (an outage). Idempotent. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data (a failed restart shows as query errors). */
  resume(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function scrapeConfig(target: string, scrapeIntervalMs: number): string {
  return [
    'global:',
    `  scrape_interval: ${scrapeIntervalMs}ms`,
    `  evaluation_interval: ${scrapeIntervalMs}ms`,
    'scrape_configs:',
    '  - job_name: fledge-sandbox-pods',
    '    honor_labels: true',
    `    static_configs: [{ targets: ["${target}"] }]`,
    '',
  ].join('\n');
}

/** Null once ready; otherwise why it never became ready. */
async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<string | null> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.exitCode !== null) return `prometheus exited (${child.exitCode}): ${log().slice(-1000)}`;
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) return null;
    await sleep(100);
  }
  return `prometheus was not ready within 15 s: ${log().slice(-1000)}`;
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface PrometheusOptions {
  /** host:port of the pods' exporter. */
  readonly target: string;
  readonly scrapeIntervalMs: number;
}

export type PrometheusStart = { readonly ok: true; readonly prometheus: SandboxPrometheus } | { readonly ok: false; readonly message: string };

/** Starts Prometheus; a failure to start is a value (the sandbox then uses the direct source). */
export async function startSandboxPrometheus(options: PrometheusOptions): Promise<PrometheusStart> {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-sandbox-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, scrapeConfig(options.target, options.scrapeIntervalMs));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let stderr = '';

  const launch = async (): Promise<string | null> => {
    const args = [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
    const started = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-10_000);
    });
    child = started;
    return waitReady(url, started, () => stderr);
  };
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = await launch();
  if (failed !== null) {
    await stop();
    return { ok: false, message: failed };
  }
  const prometheus: SandboxPrometheus = {
    url,
    pause: async () => {
      await stopChild(child);
      child = null;
    },
    resume: async () => {
      if (child === null) await launch();
    },
    stop,
  };
  return { ok: true, prometheus };
}
