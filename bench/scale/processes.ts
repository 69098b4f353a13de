// The two processes of the scale bench: `fledge emulator` and bench/scale-controller.ts.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { bundle } from '../../scripts/build.mjs';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Usage } from './usage.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface EmulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** CPU time (user + system) the process has used so far, from /proc (Linux); NaN elsewhere. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Where the processes run. The shipped Deployment limits the controller to one CPU
 * (deploy/base/controller/deployment.yaml), and in a cluster the API server and whoever makes
 * the changes have machines of their own. So on a machine with at least two CPUs the bench gives
 * the controller the first CPU it may use, alone, and runs the rest of the test (the emulator,
 * Prometheus, the bench itself: its client and watches) on the others: the test cluster takes no
 * CPU from the controller under test, and the controller gets no more than its limit.
 * `SCALE_PIN=off`, one CPU, or no `taskset` (util-linux): every process shares every CPU.
 */
export interface CpuPlacement {
  /** CPU lists as `taskset --cpu-list` takes them. */
  readonly controller: string;
  readonly harness: string;
}

/** The CPUs this process may run on, from /proc/self/status ("0-3,6"); empty when unknown. */
function allowedCpus(): number[] {
  try {
    const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    return line.split(',').flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number);
      if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) return [];
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
  } catch {
    return [];
  }
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let placement: CpuPlacement | null | undefined;

/** The placement for this run, decided once (before this process is moved to the harness CPUs); null: shared. */
export function cpuPlacement(): CpuPlacement | null {
  if (placement !== undefined) return placement;
  const cpus = allowedCpus();
  const [first, ...rest] = cpus;
  placement = process.env['SCALE_PIN'] === 'off' || first === undefined || rest.length === 0 || !hasTaskset() ? null : { controller: String(first), harness: rest.join(',') };
  return placement;
}

/** Moves every thread of `pid` onto `cpus`. */
function pin(pid: number | undefined, cpus: string): void {
  if (pid !== undefined) execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdio: 'ignore' });
}

/** Moves this process (and so the emulator and Prometheus it starts next) onto the harness CPUs. */
export function placeHarness(): void {
  const cpus = cpuPlacement();
  if (cpus !== null) pin(process.pid, cpus.harness);
}

/** Clock ticks per second of /proc/PID/stat times (USER_HZ: 100 on Linux). */
const userHz = 100;

export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the file)
    return (ticks * 1000) / userHz;
  } catch {
    return Number.NaN;
  }
}

async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Starts `node bin/fledge.js emulator --port 0` and waits for its URL. */
export async function startEmulatorProcess(kubeconfigPath: string): Promise<EmulatorProcess> {
  // For looking into it: SCALE_EMULATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR", say.
  const nodeArgs = (process.env['SCALE_EMULATOR_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, 'bin/fledge.js', 'emulator', '--port', '0', '--kubeconfig', kubeconfigPath], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${text}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${String(code)}): ${text}`)));
  });
  child.stdout?.resume();
  return { url, child, cpuMs: () => processCpuMs(child.pid), stop: () => stopChild(child) };
}

export interface ControllerProcess {
  readonly child: ChildProcess;
  /** What the controller reports about itself; `collect`: also its live heap after a full collection. */
  snapshot(collect?: boolean): Promise<Usage>;
  stop(): Promise<void>;
}

export interface ControllerProcessOptions {
  readonly kubeconfigPath: string;
  readonly scrape: string;
  readonly concurrency: number;
  readonly resyncMs: number;
  readonly prometheusUrl: string;
  /** Batched measurement (as `fledge controller`), or every canary on its own (for comparison). */
  readonly batch: boolean;
  /** The compiled entry from compileController(); the sources through tsx when undefined. */
  readonly compiled?: string | undefined;
}

/** Extra Node flags for the controller process only, e.g. `SCALE_CONTROLLER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p"`. */
function controllerNodeArgs(): string[] {
  return (process.env['SCALE_CONTROLLER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
}

/** How the controller process runs: compiled JavaScript as the image ships it, or the sources through tsx. */
export type ControllerRuntime = 'dist' | 'tsx';

const buildDir = join(root, 'bench', '.build');

/**
 * Bundles bench/scale-controller.ts and the sources it imports into bench/.build/bundle (as `npm
 * run build` bundles dist/: scripts/build.mjs), with the data files the catalog and version read
 * one level up, where they sit for dist/. Returns the entry to fork.
 */
export async function compileController(): Promise<string> {
  const out = join(buildDir, 'bundle');
  rmSync(buildDir, { recursive: true, force: true });
  await bundle(join(root, 'bench', 'scale-controller.ts'), out);
  for (const data of ['analysis', 'strategies', 'package.json']) {
    if (!existsSync(join(buildDir, data))) symlinkSync(join(root, data), join(buildDir, data));
  }
  return join(out, 'main.js');
}

/**
 * The Node flags the shipped Deployment (deploy/base/controller/deployment.yaml) runs the
 * controller with: those its command gives `node` before the entry, then its NODE_OPTIONS.
 */
export function shippedNodeFlags(): string[] {
  const manifest = parse(readFileSync(join(root, 'deploy', 'base', 'controller', 'deployment.yaml'), 'utf8')) as ShippedDeployment;
  const container = manifest.spec.template.spec.containers.find((c) => c.name === 'controller');
  if (container === undefined) throw new Error('deploy/base/controller/deployment.yaml has no container "controller"');
  const command = container.command ?? [];
  const entry = command.findIndex((arg) => arg.endsWith('fledge.js'));
  const flags = command[0] === 'node' && entry > 0 ? command.slice(1, entry) : [];
  const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  return [...flags, ...nodeOptions.split(/\s+/).filter((option) => option !== '')];
}

interface ShippedDeployment {
  readonly spec: { readonly template: { readonly spec: { readonly containers: ReadonlyArray<{ readonly name: string; readonly command?: readonly string[]; readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string }> }> } } };
}

/**
 * Forks the controller and waits until it has started: compiled, with the shipped Deployment's
 * Node flags (its heap settings), as the image runs it; or bench/scale-controller.ts through tsx.
 */
export async function startControllerProcess(options: ControllerProcessOptions): Promise<ControllerProcess> {
  const entry = options.compiled ?? fileURLToPath(new URL('../scale-controller.ts', import.meta.url));
  const loader = options.compiled === undefined ? ['--import', 'tsx'] : shippedNodeFlags();
  const child = fork(entry, [
    '--kubeconfig', options.kubeconfigPath, '--scrape', options.scrape, '--concurrency', String(options.concurrency), '--resync', String(options.resyncMs),
    '--prometheus-url', options.prometheusUrl, '--batch', options.batch ? 'on' : 'off',
  ], { cwd: root, execArgv: [...loader, ...controllerNodeArgs()], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Forked from the bench, it starts on the harness CPUs: it gets its own before it starts work.
  const cpus = cpuPlacement();
  if (cpus !== null) pin(child.pid, cpus.controller);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the controller did not start within 120 s')), 120_000);
    child.on('message', (message: { kind?: string }) => {
      if (message.kind !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the controller exited (${String(code)})`)));
  });
  return {
    child,
    snapshot: (collect = false) =>
      new Promise<Usage>((resolve) => {
        const onMessage = (message: { kind?: string; usage?: Usage }): void => {
          if (message.kind !== 'snapshot' || message.usage === undefined) return;
          child.off('message', onMessage);
          resolve(message.usage);
        };
        child.on('message', onMessage);
        child.send({ kind: 'snapshot', collect });
      }),
    stop: () => stopChild(child),
  };
}
