// The process entry: the only module that reads process.env and argv.
import { runCli } from './cli/main.ts';

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  isTty: process.stdout.isTTY,
});
process.exitCode = code;
