// `fledge report` and `fledge wait --report`: one self-contained HTML file of a release's current
// or last run, with the dashboard's plots. The chart library, the script and the data are inlined:
// the file opens offline, from a CI artifact, years later.
import { chartAssets, jsonSafe, scriptSafe } from './assets.ts';
import { escapeHtml } from './pages.ts';
import { pageStyle, plotsScript } from './plots-script.ts';
import type { ReleaseView } from './view.ts';

/** The report's HTML; `generatedAt` in ms. */
export function renderReport(view: ReleaseView, generatedAt: number): string {
  const { script, style } = chartAssets();
  const { row } = view;
  const title = `${row.namespace}/${row.name}`;
  const data = jsonSafe(view);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Fledge report</title>
<style>${style}</style><style>${pageStyle}</style>
<script>${scriptSafe(script)}</script>
<script>${scriptSafe(plotsScript)}</script></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="note">Fledge report, generated ${new Date(generatedAt).toISOString()}</p>
<table><tr><th>phase</th><th>weight</th><th>step</th><th>revision</th></tr>
<tr><td class="phase">${escapeHtml(row.phase)}</td><td>${row.weight}%</td><td>${escapeHtml(row.step)}</td><td>${escapeHtml(row.revision)}</td></tr></table>
<p class="message">${escapeHtml(row.message)}</p>
<div id="plots"></div>
<script id="release-data" type="application/json">${data}</script>
<script>window.fledgeRender(JSON.parse(document.getElementById('release-data').textContent), document.getElementById('plots'));</script>
</body></html>
`;
}
