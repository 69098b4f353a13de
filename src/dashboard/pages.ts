// The dashboard's two pages. They load the chart library and their scripts from the dashboard
// itself (/assets/…), get their data from its JSON API and hear of changes through
// server-sent events (/events); nothing comes from the internet.
import { pageStyle } from './plots-script.ts';

/** Text for HTML: &, <, >, " and ' escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(input: { title: string; head?: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${pageStyle}</style>${input.head ?? ''}</head>
<body>${input.body}</body></html>`;
}

const listScript = String.raw`
(function () {
  'use strict';
  var rows = {};
  var fields = ['name', 'phase', 'weight', 'step', 'revision', 'pausedBy', 'message'];
  var body = document.getElementById('releases');
  function cell(row, field) {
    if (field === 'weight') return row.weight + '%';
    return String(row[field]);
  }
  function draw() {
    var keys = Object.keys(rows).sort();
    body.textContent = '';
    keys.forEach(function (key) {
      var row = rows[key];
      var tr = document.createElement('tr');
      tr.setAttribute('data-release', key);
      tr.appendChild(Object.assign(document.createElement('td'), { textContent: row.namespace }));
      fields.forEach(function (field) {
        var td = document.createElement('td');
        td.setAttribute('data-field', field);
        if (field === 'name') {
          var a = document.createElement('a');
          a.href = 'releases/' + encodeURIComponent(row.namespace) + '/' + encodeURIComponent(row.name);
          a.textContent = row.name;
          td.appendChild(a);
        } else {
          td.textContent = cell(row, field);
        }
        if (field === 'phase') td.className = 'phase';
        if (field === 'message') td.className = 'message';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById('empty').hidden = keys.length > 0;
  }
  var events = new EventSource('events');
  events.addEventListener('snapshot', function (e) {
    rows = {};
    JSON.parse(e.data).forEach(function (row) { rows[row.namespace + '/' + row.name] = row; });
    draw();
  });
  events.addEventListener('release', function (e) {
    var row = JSON.parse(e.data);
    rows[row.namespace + '/' + row.name] = row;
    draw();
  });
  events.addEventListener('deleted', function (e) {
    var gone = JSON.parse(e.data);
    delete rows[gone.namespace + '/' + gone.name];
    draw();
  });
})();
`;

/** The list of releases, updated live. */
export function listPage(scope: string): string {
  return page({
    title: 'Fledge releases',
    body: `<h1>Fledge releases <span class="note">(${escapeHtml(scope)})</span></h1>
<table><thead><tr><th>namespace</th><th>name</th><th>phase</th><th>weight</th><th>step</th><th>revision</th><th>paused by</th><th>message</th></tr></thead>
<tbody id="releases"></tbody></table>
<p id="empty" class="note">No Canaries here yet: annotate a Deployment with fledge.dev/canary: "true".</p>
<script>${listScript}</script>`,
  });
}

const releaseScript = String.raw`
(function () {
  'use strict';
  var meta = function (name) { return document.querySelector('meta[name="' + name + '"]').getAttribute('content'); };
  var token = meta('fledge-token');
  var ns = meta('fledge-namespace');
  var name = meta('fledge-name');
  var api = '../../api/releases/' + encodeURIComponent(ns) + '/' + encodeURIComponent(name);
  var view = null;
  function setText(id, text) { document.getElementById(id).textContent = text; }
  function show(v) {
    view = v;
    setText('phase', v.row.phase);
    setText('weight', v.row.weight + '%');
    setText('step', v.row.step);
    setText('revision', v.row.revision);
    setText('message', v.row.message);
    document.querySelectorAll('.actions button').forEach(function (b) { b.disabled = v.verbs.indexOf(b.getAttribute('data-verb')) < 0; });
    window.fledgeRender(v, document.getElementById('plots'));
    document.body.setAttribute('data-looks', v.run === null ? '0' : String(v.run.looks.atMs.length));
  }
  function load() {
    return fetch(api, { cache: 'no-store' }).then(function (r) {
      if (r.status === 404) { setText('message', 'This Canary no longer exists.'); return null; }
      return r.json().then(show);
    });
  }
  document.querySelectorAll('.actions button').forEach(function (button) {
    button.addEventListener('click', function () {
      var verb = button.getAttribute('data-verb');
      if (!window.confirm(verb + ' ' + ns + '/' + name + '? (same as fledge ' + verb + ')')) return;
      fetch(api + '/' + verb, { method: 'POST', headers: { 'X-Fledge-Token': token } })
        .then(function (r) { return r.json(); })
        .then(function (answer) { setText('answer', answer.message); });
    });
  });
  var events = new EventSource('../../events?release=' + encodeURIComponent(ns + '/' + name));
  events.addEventListener('snapshot', load);
  events.addEventListener('release', load);
  events.addEventListener('deleted', load);
})();
`;

export const verbs = ['promote', 'abort', 'pause', 'resume', 'retry'] as const;

/** One release: its state, the buttons, and the plots of its current or last run. */
export function releasePage(input: { namespace: string; name: string; token: string }): string {
  const { namespace, name, token } = input;
  const buttons = verbs.map((verb) => `<button type="button" data-verb="${verb}" disabled>${verb}</button>`).join('');
  return page({
    title: `${namespace}/${name} — Fledge`,
    head: `<meta name="fledge-token" content="${escapeHtml(token)}"><meta name="fledge-namespace" content="${escapeHtml(namespace)}">
<meta name="fledge-name" content="${escapeHtml(name)}"><link rel="stylesheet" href="../../assets/uplot.css">
<script src="../../assets/uplot.js"></script><script src="../../assets/plots.js"></script>`,
    body: `<p><a href="../../">← all releases</a> · <a href="../../report/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}">download report</a></p>
<h1>${escapeHtml(namespace)}/${escapeHtml(name)}</h1>
<table><tr><th>phase</th><th>weight</th><th>step</th><th>revision</th></tr>
<tr><td id="phase" class="phase"></td><td id="weight"></td><td id="step"></td><td id="revision"></td></tr></table>
<p id="message" class="message"></p>
<p class="actions">${buttons} <span id="answer" class="note"></span></p>
<div id="plots"></div>
<script>${releaseScript}</script>`,
  });
}
