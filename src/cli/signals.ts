// Waiting for the process to be asked to stop, for commands that serve until then.

/** Resolves with the signal's name at the first SIGINT or SIGTERM (and stops listening). */
export function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
