// bench/results/scale.svg: two small charts against N (log scale) — the step lag (median and
// p99) and the controller's peak RSS — so a reader sees how cost grows with the number of
// canaries, not only the table. Plain SVG, no dependencies.
import { quantile } from '../decisions/stats.ts';
import type { ScaleResult } from './run-n.ts';

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const width = 360;
const height = 220;
const margin = { left: 52, right: 16, top: 28, bottom: 36 };

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value) ?? 10 * power;
}

function panelSvg(panel: Panel, ns: readonly number[], offsetX: number): string {
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const [lo, hi] = [Math.log10(Math.min(...ns)), Math.log10(Math.max(...ns))];
  const x = (n: number): number => margin.left + (hi === lo ? plotW / 2 : ((Math.log10(n) - lo) / (hi - lo)) * plotW);
  const top = niceMax(Math.max(...panel.series.flatMap((s) => s.points.map(([, v]) => v))));
  const y = (v: number): number => margin.top + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top].map((v) => `<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text><line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
  const xTicks = ns.map((n) => `<text x="${x(n)}" y="${height - margin.bottom + 16}" text-anchor="middle">${n}</text>`);
  const lines = panel.series.map((s, i) => {
    const path = s.points.map(([n, v]) => `${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = s.points.map(([n, v]) => `<circle cx="${x(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.colour}"/>`).join('');
    const legend = `<text x="${margin.left + 8}" y="${margin.top + 14 + 14 * i}" fill="${s.colour}">${s.label}</text>`;
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${path}"/>${dots}${legend}`;
  });
  return [
    `<g transform="translate(${offsetX},0)" font-family="sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${panel.title}</text>`,
    ...ticks, ...xTicks,
    `<text x="${width / 2}" y="${height - 4}" text-anchor="middle">canaries (N, log scale)</text>`,
    `<text transform="translate(12,${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${panel.unit}</text>`,
    ...lines,
    '</g>',
  ].join('\n');
}

/** The SVG for the sizes that released; null when fewer than one did. */
export function scaleChart(results: readonly ScaleResult[]): string | null {
  const released = results.filter((r) => r.released && r.stepLagsMs.length > 0);
  if (released.length === 0) return null;
  const ns = released.map((r) => r.n);
  const lag = (q: number): Array<readonly [number, number]> => released.map((r) => [r.n, quantile(r.stepLagsMs, q) / 1000] as const);
  const panels: Panel[] = [
    { title: 'Step lag', unit: 'seconds', series: [{ label: 'p99', colour: '#c0392b', points: lag(0.99) }, { label: 'median', colour: '#2e86c1', points: lag(0.5) }] },
    { title: 'Controller peak RSS', unit: 'MiB', series: [{ label: 'peak RSS', colour: '#27ae60', points: released.map((r) => [r.n, r.after.maxRssBytes / 2 ** 20] as const) }] },
  ];
  const body = panels.map((panel, i) => panelSvg(panel, ns, i * width)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * width}" height="${height}" viewBox="0 0 ${2 * width} ${height}">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}
