// The chart library (uPlot, an npm dependency), read from node_modules: served by the dashboard
// and inlined in reports, so no page ever fetches anything from the internet.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FledgeError } from '../errors.ts';

export interface ChartAssets {
  /** uPlot's browser build (defines the global `uPlot`). */
  readonly script: string;
  readonly style: string;
}

let cached: ChartAssets | null = null;

/** Reads uPlot once; FLEDGE_CONFIG_INVALID when the dependency is not installed. */
export function chartAssets(): ChartAssets {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = {
      script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
    return cached;
  } catch (error) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', 'the chart library uplot is not installed (npm install): the dashboard and reports need it', { cause: error });
  }
}

/** JavaScript for inlining inside a <script> element: no "</script" can end it early. */
export function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

/** A value as JSON for a <script type="application/json"> element: every "<" escaped. */
export function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
