// `fledge report deployment/NAME [-o report.html]`: one self-contained HTML file of the release's
// current or last run, with the dashboard's plots (for CI artifacts). Without -o, to stdout.
import { writeFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { createReleaseReader, readRelease } from '../dashboard/release-reader.ts';
import { renderReport } from '../dashboard/report.ts';
import { ExitCode, type CliIo, type Command } from './io.ts';
import { appName, guarded, kubeFlagOptions, kubeFlagUsage, parseFlags, resolveKube } from './kube-flags.ts';

const usage = `fledge report deployment/NAME ${kubeFlagUsage} [-o report.html]`;

const options = { ...kubeFlagOptions, output: { type: 'string', short: 'o' } } as const;

/** Writes the report of `namespace/name` to `file`; false (and a message) when there is no such Canary. */
export async function writeReport(input: { kc: KubeConfig; namespace: string; name: string; file: string; now: number }): Promise<string | null> {
  const view = await readRelease(createReleaseReader(input.kc), input.namespace, input.name);
  if (view === null) return `no Canary ${input.namespace}/${input.name}`;
  writeFileSync(input.file, renderReport(view, input.now));
  return null;
}

export const reportCommand: Command = {
  summary: 'Write a self-contained HTML report (plots included) of a release\'s current or last run.',
  usage,
  run: (args: readonly string[], io: CliIo) => guarded(io, async () => {
    const { values, positionals } = parseFlags(args, options, usage);
    const name = appName(positionals, usage);
    const { kc, namespace } = resolveKube(values, io);
    const file = values.output;
    if (file === undefined) {
      const view = await readRelease(createReleaseReader(kc), namespace, name);
      if (view === null) {
        io.err(`fledge: no Canary ${namespace}/${name} (is the Deployment annotated with fledge.dev/canary: "true"?)`);
        return ExitCode.failed;
      }
      io.out(renderReport(view, Date.now()));
      return ExitCode.ok;
    }
    const missing = await writeReport({ kc, namespace, name, file, now: Date.now() });
    if (missing !== null) {
      io.err(`fledge: ${missing}`);
      return ExitCode.failed;
    }
    io.err(`fledge: wrote ${file}`);
    return ExitCode.ok;
  }),
};
