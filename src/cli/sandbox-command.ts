// `fledge sandbox` (what `npm start` runs): a real canary release on one machine. Exit 0 when
// every release of the scenario ended as expected, 1 otherwise, 4 for bad flags.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MetricsMode } from '../sandbox/metrics-path.ts';
import { isScenarioName, scenarioNames, type ScenarioName } from '../sandbox/scenarios.ts';
import type { SandboxOptions, SandboxRouter } from '../sandbox/run.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';

const usage = [
  'fledge sandbox [--scenario NAME] [--router smi|gateway-api] [--rps N] [--speed X] [--seed N] [--metrics auto|prometheus|direct] [--keep] [--kubeconfig PATH]',
  '',
  `Scenarios: ${scenarioNames.join(', ')} (default: default — a good release promoted, then a bad one rolled back).`,
  '--router gateway-api routes through a Gateway API HTTPRoute instead of an SMI TrafficSplit (the ab scenario always does).',
  '--speed 2 halves the bake time (intervals stay at least 5s); --speed 0.5 doubles the timings.',
  '--keep leaves everything running after the scenario (kubeconfig in ./.fledge/kubeconfig) until Ctrl-C.',
].join('\n');

interface Flags {
  readonly scenario: ScenarioName;
  readonly router: SandboxRouter;
  readonly rps?: number;
  readonly speed: number;
  readonly seed: number;
  readonly metrics: MetricsMode;
  readonly keep: boolean;
  readonly kubeconfig: string;
}

type RawFlags = Partial<Record<'scenario' | 'router' | 'rps' | 'speed' | 'seed' | 'metrics' | 'kubeconfig', string>> & { keep?: boolean };

function number(text: string | undefined, name: string, check: (value: number) => boolean): number | undefined | string {
  if (text === undefined) return undefined;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && check(value) ? value : `--${name} ${text}: not allowed`;
}

function numbers(values: RawFlags): { rps?: number; speed: number; seed: number } | string {
  const rps = number(values.rps, 'rps', (v) => v >= 0 && v <= 10_000);
  const speed = number(values.speed, 'speed', (v) => v >= 0.1 && v <= 10);
  const seed = number(values.seed, 'seed', (v) => Number.isInteger(v));
  for (const value of [rps, speed, seed]) if (typeof value === 'string') return value;
  return { ...(typeof rps === 'number' ? { rps } : {}), speed: (speed as number | undefined) ?? 1, seed: (seed as number | undefined) ?? 1 };
}

function isMode(text: string): text is MetricsMode {
  return text === 'auto' || text === 'prometheus' || text === 'direct';
}

function routerOf(text: string | undefined): SandboxRouter | null {
  const router = text ?? 'smi';
  return router === 'smi' || router === 'gateway-api' ? router : null;
}

function toFlags(values: RawFlags): Flags | string {
  const scenario = values.scenario ?? 'default';
  if (!isScenarioName(scenario)) return `--scenario ${scenario}: unknown; one of ${scenarioNames.join(', ')}`;
  const metrics = values.metrics ?? 'auto';
  if (!isMode(metrics)) return `--metrics ${metrics}: one of auto, prometheus, direct`;
  const router = routerOf(values.router);
  if (router === null) return `--router ${values.router ?? ''}: one of smi, gateway-api`;
  const parsed = numbers(values);
  if (typeof parsed === 'string') return parsed;
  return {
    scenario,
    router,
    ...parsed,
    metrics,
    keep: values.keep ?? false,
    kubeconfig: resolve(values.kubeconfig ?? '.fledge/kubeconfig'),
  };
}

function parseFlags(args: readonly string[]): Flags | string {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        scenario: { type: 'string' }, router: { type: 'string' }, rps: { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' },
        metrics: { type: 'string' }, kubeconfig: { type: 'string' }, keep: { type: 'boolean' },
      },
      strict: true,
    });
    return toFlags(values);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function untilSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

export const sandboxCommand: Command = {
  summary: 'Run a real canary release on this machine: emulator, simulated mesh and traffic, the controller',
  usage,
  run: async (args: readonly string[], io: CliIo): Promise<number> => {
    const flags = parseFlags(args);
    if (typeof flags === 'string') {
      io.err(`fledge sandbox: ${flags}\nUsage: ${usage}`);
      return ExitCode.usage;
    }
    const { runSandbox } = await import('../sandbox/run.ts');
    const options: SandboxOptions = {
      scenario: flags.scenario,
      router: flags.router,
      ...(flags.rps === undefined ? {} : { rps: flags.rps }),
      speed: flags.speed,
      seed: flags.seed,
      metrics: flags.metrics,
      keep: flags.keep,
      kubeconfigPath: flags.kubeconfig,
      ...(flags.keep ? { signal: untilSignal() } : {}),
      write: (text) => io.out(text.replace(/\n$/, '')),
      isTty: io.isTty,
    };
    const result = await runSandbox(options);
    return result.ok ? ExitCode.ok : ExitCode.failed;
  },
};
