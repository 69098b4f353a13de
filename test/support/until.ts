// Polling with a deadline for tests that watch a real process or cluster converge.

/**
 * Reads until `done` holds, every `everyMs`, for at most `seconds`; a read that throws counts as
 * not yet. Throws with what it waited for and the last value seen.
 */
export async function until<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, seconds = 60, everyMs = 300): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const value = await Promise.resolve().then(read).catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    last = value ?? last;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 2000)}`);
}
