/** What a command may touch of its surroundings; tests pass their own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal: commands then draw live lines instead of log lines. */
  readonly isTty: boolean;
}

/**
 * Exit codes shared by every command (DESIGN.md §1):
 * 0 promoted/ok, 1 rolled back or failed, 2 timed out, 3 paused for a human,
 * 4 bad usage or config, 5 cluster unreachable.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  timeout: 2,
  paused: 3,
  usage: 4,
  unreachable: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A `fledge` sub-command: parses its own flags and resolves to an exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}
