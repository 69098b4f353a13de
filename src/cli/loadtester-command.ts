// `fledge loadtester`: the small load generator hooks can call (docs/hooks.md). Serves POST /load
// on --addr until SIGINT/SIGTERM; load goes only to targets under an --allow prefix.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { allowListProblems } from '../controller/allow-list.ts';
import { createHttpDriver } from '../loadtester/http-driver.ts';
import { LoadJobs } from '../loadtester/jobs.ts';
import { createLoadTesterServer } from '../loadtester/server.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { untilSignal } from './signals.ts';

const usage = 'fledge loadtester --allow URL_PREFIX[,URL_PREFIX…] [--addr 0.0.0.0:8080] [--secret-file PATH]';

export interface LoadTesterCommandDeps {
  /** Resolves when the process is asked to stop. */
  readonly untilStopped: () => Promise<string>;
}

interface Flags {
  readonly host: string;
  readonly port: number;
  readonly allow: readonly string[];
  readonly secretFile: string | undefined;
}

type Values = { addr?: string; allow?: string; 'secret-file'?: string };

function readValues(args: readonly string[]): Values | string {
  try {
    return parseArgs({ args: [...args], options: { addr: { type: 'string' }, allow: { type: 'string' }, 'secret-file': { type: 'string' } }, strict: true }).values;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function allowOf(text: string): readonly string[] | string {
  const allow = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (allow.length === 0) return '--allow is required: the URL prefixes load may be sent to (such as http://podinfo.test.svc:9898/)';
  const problems = allowListProblems(allow);
  return problems.length > 0 ? `--allow: ${problems.join('; ')}` : allow;
}

function addressOf(addr: string): { host: string; port: number } | string {
  const match = /^(.*):(\d{1,5})$/.exec(addr);
  if (match === null || Number(match[2]) > 65535) return `--addr ${addr}: not HOST:PORT`;
  return { host: match[1] ?? '', port: Number(match[2]) };
}

function parse(args: readonly string[], env: CliIo['env']): Flags | string {
  const values = readValues(args);
  if (typeof values === 'string') return values;
  const address = addressOf(values.addr ?? env['FLEDGE_LOADTESTER_ADDR'] ?? '0.0.0.0:8080');
  if (typeof address === 'string') return address;
  const allow = allowOf(values.allow ?? env['FLEDGE_LOADTESTER_ALLOW'] ?? '');
  if (typeof allow === 'string') return allow;
  return { ...address, allow, secretFile: values['secret-file'] ?? env['FLEDGE_LOADTESTER_SECRET_FILE'] };
}

export function createLoadTesterCommand(deps: LoadTesterCommandDeps): Command {
  return {
    summary: 'Serve a small load generator that rollout hooks call (POST /load?target=URL&rate=N)',
    usage,
    run: async (args, io) => {
      const flags = parse(args, io.env);
      if (typeof flags === 'string') {
        io.err(`fledge loadtester: ${flags}\nUsage: ${usage}`);
        return ExitCode.usage;
      }
      const secret = flags.secretFile === undefined ? undefined : (await readFile(flags.secretFile, 'utf8')).trim();
      const jobs = new LoadJobs(createHttpDriver());
      const server = createLoadTesterServer({ jobs, allow: flags.allow, secret });
      await new Promise<void>((resolve) => server.listen(flags.port, flags.host, resolve));
      const { port } = server.address() as AddressInfo;
      io.out(`fledge loadtester listening on ${flags.host}:${port}; targets under ${flags.allow.join(', ')}${secret === undefined ? '' : '; signed requests only'}`);
      const signal = await deps.untilStopped();
      io.out(`Stopping (${signal}).`);
      jobs.stopAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return ExitCode.ok;
    },
  };
}

export const loadtesterCommand: Command = createLoadTesterCommand({ untilStopped: untilSignal });
