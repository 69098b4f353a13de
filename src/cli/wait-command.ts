// `fledge wait deployment/NAME`: for CI. Binds to the revision the Deployment has now (or
// --revision) and exits 0 promoted, 1 rolled back/failed/superseded, 2 timed out, 3 paused
// for a person (--until-paused), 4 bad usage or config, 5 cluster unreachable.
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiCaller } from '../adapters/kube/errors.ts';
import { createCanaryApi } from '../adapters/kube/canary-resource.ts';
import { createClusterObjects } from '../adapters/kube/cluster.ts';
import { FledgeError } from '../errors.ts';
import type { CliIo, Command } from './io.ts';
import { writeReport } from './report-command.ts';
import { appName, durationFlag, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube } from './kube-flags.ts';
import { outputUsage, parseOutput } from './output.ts';
import { runWait, type WaitOptions, type WaitRuntime } from './wait/loop.ts';

const formats = ['text', 'json', 'yaml'] as const;

const usage = `fledge wait deployment/NAME ${kubeFlagUsage} [--revision REV|current] [--timeout 15m] [--until-paused] ${outputUsage(formats)} [--retry-for 15s] [--report FILE]`;

const options = {
  ...kubeFlagOptions,
  revision: { type: 'string' },
  timeout: { type: 'string' },
  'until-paused': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  poll: { type: 'string' },
  'retry-for': { type: 'string' },
  report: { type: 'string' },
} as const;

export type WaitCommandDeps = WaitRuntime;

const defaults: WaitCommandDeps = {
  now: () => Date.now(),
  sleep: async (ms) => {
    await sleep(ms);
  },
};

function revisionOf(text: string | undefined): string | null {
  if (text === undefined || text === 'current') return null;
  if (!/^[0-9a-f]{6,64}$/.test(text)) throw new FledgeError('FLEDGE_USAGE', `--revision ${text}: expected a revision hash (see \`fledge status\`) or "current"`);
  return text;
}

/** `--report FILE`: written whatever the outcome; a report that cannot be written is said, not fatal. */
async function reportAfterWait(io: CliIo, input: Parameters<typeof writeReport>[0]): Promise<void> {
  try {
    const missing = await writeReport(input);
    io.err(missing === null ? `fledge: report written to ${input.file}` : `fledge: no report: ${missing}`);
  } catch (error) {
    io.err(`fledge: no report written to ${input.file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function createWaitCommand(deps: WaitCommandDeps = defaults): Command {
  return {
    summary: 'Wait for the outcome of the Deployment\'s current revision (for CI).',
    usage,
    run: (args, io) => guarded(io, async () => {
      const { values, positionals } = parseFlags(args, options, usage);
      const name = appName(positionals, usage);
      const waitOptions: WaitOptions = {
        name,
        namespace: '',
        revision: revisionOf(values.revision),
        timeoutMs: durationFlag('timeout', values.timeout, 15 * 60_000),
        untilPaused: values['until-paused'] === true,
        output: parseOutput(values.output, formats),
        pollMs: durationFlag('poll', values.poll, 1000),
        retryForMs: durationFlag('retry-for', values['retry-for'], 15_000),
      };
      const { kc, namespace } = resolveKube(values, io);
      const clock = { now: deps.now };
      const lookDeps = {
        cluster: createClusterObjects(kc, { clock }),
        canaries: createCanaryApi(kc, createApiCaller()),
      };
      const code = await runWait({ options: { ...waitOptions, namespace }, deps: lookDeps, runtime: deps, io });
      if (values.report !== undefined) await reportAfterWait(io, { kc, namespace, name, file: values.report, now: deps.now() });
      return code;
    }),
  };
}

export const waitCommand: Command = createWaitCommand();
