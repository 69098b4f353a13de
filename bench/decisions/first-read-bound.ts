// `npm run bench:first-read`: how many bad releases any test at level α could roll back at the
// first read, in the decision bench's world. The test is the most powerful one there is: it knows
// both versions' failure rates and the scrape phase, and spends all of α on this one read
// (Neyman–Pearson over the phase and the canary's failures). No real judge does better, so when
// this share is under one half, the median rollback comes at a later read whatever the judge.
//
// The world (bench/decisions/world.ts): Prometheus scrapes every S at a uniformly random phase;
// the first step routes `weight`% to the canary 5 s after the new revision (one readiness poll);
// the first window is [0, 2S] on the wall-clock grid, read 2 scrapes after it ends with one scrape
// before it, so it counts the canary's requests from 5 s to its last scrape (between S and 2S).
//
// Flags: --rps 100 --weight 5 --base 0.001 --factor 10 --alpha 0.05 --scrape 15.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface FirstRead {
  /** Requests per second of the whole service. */
  readonly rps: number;
  /** Percent of the traffic the canary gets at the first step. */
  readonly weight: number;
  /** The primary's failure rate; the canary's is `factor` times it. */
  readonly base: number;
  readonly factor: number;
  readonly alpha: number;
  readonly scrapeMs: number;
  /** When the first step routes traffic to the canary (ms after the new revision). */
  readonly firstStepMs: number;
}

/** When the first window's read comes (ms after the new revision): the window's end plus 2 scrapes. */
export function firstReadMs(world: FirstRead): number {
  return 4 * world.scrapeMs;
}

/**
 * The largest share of bad releases a level-α test can roll back at the first read. The phase is
 * integrated on `steps` points; each (phase, failures) cell is rejected in order of its likelihood
 * ratio until the size reaches α (the last one in part).
 */
export function firstReadPower(world: FirstRead, steps = 2000): number {
  const canaryPerMs = (world.rps * world.weight) / 100 / 1000;
  const cells: { ratio: number; size: number; power: number }[] = [];
  for (let i = 0; i < steps; i += 1) {
    const lastScrapeMs = world.scrapeMs * (1 + (i + 0.5) / steps);
    const requests = canaryPerMs * Math.max(0, lastScrapeMs - world.firstStepMs);
    const null0 = requests * world.base;
    const bad = requests * Math.min(1, world.base * world.factor);
    // Poisson probabilities of k failures, each from the one before.
    let cellSize = Math.exp(-null0) / steps;
    let cellPower = Math.exp(-bad) / steps;
    for (let k = 0; k < 60; k += 1) {
      if (k > 0) {
        cellSize *= null0 / k;
        cellPower *= bad / k;
      }
      if (cellSize > 0 || cellPower > 0) cells.push({ ratio: cellSize === 0 ? Infinity : cellPower / cellSize, size: cellSize, power: cellPower });
    }
  }
  cells.sort((a, b) => b.ratio - a.ratio);
  let size = 0;
  let power = 0;
  for (const cell of cells) {
    if (size + cell.size <= world.alpha) {
      size += cell.size;
      power += cell.power;
      continue;
    }
    power += (cell.power * (world.alpha - size)) / cell.size;
    break;
  }
  return power;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      rps: { type: 'string', default: '100' },
      weight: { type: 'string', default: '5' },
      base: { type: 'string', default: '0.001' },
      factor: { type: 'string', default: '10' },
      alpha: { type: 'string', default: '0.05' },
      scrape: { type: 'string', default: '15' },
    },
    strict: true,
  });
  const world: FirstRead = {
    rps: Number(values.rps),
    weight: Number(values.weight),
    base: Number(values.base),
    factor: Number(values.factor),
    alpha: Number(values.alpha),
    scrapeMs: Number(values.scrape) * 1000,
    firstStepMs: 5_000,
  };
  const bad = Object.entries(world).find(([, v]) => !Number.isFinite(v) || v < 0);
  if (bad !== undefined) throw new Error(`--${bad[0]}: a non-negative number is expected`);
  const power = firstReadPower(world);
  const minutes = (firstReadMs(world) / 60_000).toFixed(2);
  process.stdout.write(
    `${world.factor}× over ${world.base * 100}% at ${world.rps} req/s, ${world.weight}% to the canary: at most ${(100 * power).toFixed(1)}% ` +
      `of these releases can be rolled back at the first read (${minutes} min) by any test at level ${world.alpha}` +
      `${power < 0.5 ? `; the median rollback comes later, whatever the judge` : ''}\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
