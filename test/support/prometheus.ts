// A real Prometheus for tests (Debian's `prometheus` 2.42 on 127.0.0.1), and a tiny fake one
// for answers a real one never gives (500s, garbage, hanging).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MeasureRequest } from '../../src/ports.ts';
import { linkerdTemplate } from './linkerd-template.ts';

export const prometheusMissingMessage = 'prometheus not installed: apt-get install -y prometheus';

/** null when `prometheus` and `promtool` run; otherwise the loud reason to skip. */
export function prometheusMissing(): string | null {
  const ok = ['prometheus', 'promtool'].every((binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0);
  if (ok) return null;
  process.stderr.write(`\n!!!!!!!!!! ${prometheusMissingMessage} — the Prometheus integration tests are SKIPPED !!!!!!!!!!\n\n`);
  return prometheusMissingMessage;
}

export interface PrometheusOptions {
  /** host:port targets to scrape at `scrapeIntervalMs` (job "fledge-test", honor_labels). */
  readonly scrapeTargets?: readonly string[];
  readonly scrapeIntervalMs?: number;
  /** OpenMetrics text (with timestamps and `# EOF`) backfilled with promtool before start. */
  readonly backfill?: string;
}

export interface PrometheusHandle {
  readonly url: string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function writeConfig(dir: string, options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalMs ?? 1000}ms`;
  const targets = options.scrapeTargets ?? [];
  const scrape = targets.length === 0
    ? 'scrape_configs: []'
    : ['scrape_configs:', '  - job_name: fledge-test', '    honor_labels: true', `    static_configs: [{ targets: [${targets.map((t) => `"${t}"`).join(', ')}] }]`].join('\n');
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, `global:\n  scrape_interval: ${interval}\n  evaluation_interval: ${interval}\n${scrape}\n`);
  return path;
}

function backfill(dir: string, openMetrics: string): string {
  const input = join(dir, 'backfill.om');
  const data = join(dir, 'data');
  writeFileSync(input, openMetrics);
  const result = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`promtool backfill failed: ${result.stderr}`);
  return data;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${log().slice(-2000)}`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`prometheus was not ready within 15 s: ${log().slice(-2000)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts Prometheus on a free loopback port with its own temporary storage; `stop()` kills it and removes the storage. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-prometheus-'));
  try {
    const config = writeConfig(dir, options);
    const data = options.backfill === undefined ? join(dir, 'data') : backfill(dir, options.backfill);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
    const child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-10_000);
    });
    const stop = async (): Promise<void> => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    };
    await waitReady(url, child, () => stderr).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    return { url, stop };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface FakePrometheus {
  readonly url: string;
  /** Headers of every request received, in order. */
  readonly received: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers every request with `handler`. */
export async function startFakePrometheus(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<FakePrometheus> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One minute of shop/cart against cart-primary over the Linkerd template, ending at 2024-01-01T00:02Z. */
export const cartRequest: MeasureRequest = {
  namespace: 'shop',
  canary: 'cart',
  primary: 'cart-primary',
  start: Date.UTC(2024, 0, 1, 0, 1),
  end: Date.UTC(2024, 0, 1, 0, 2),
  template: linkerdTemplate,
  latencyEdgeMs: 500,
};

/** A starter of fake Prometheus servers for one test file; all of them stop after its tests. */
export function fakePrometheusPool(after: (fn: () => Promise<void>) => void): (handler: (request: IncomingMessage, response: ServerResponse) => void) => Promise<FakePrometheus> {
  const servers: FakePrometheus[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  return async (handler) => {
    const server = await startFakePrometheus(handler);
    servers.push(server);
    return server;
  };
}
