// The browser side of a release's plots, shared by the dashboard's release page and the report:
// `fledgeRender(view, element)` draws, with uPlot, from a ReleaseView (view.ts) — the weight
// steps, each event's rate canary against primary, the evidence against the rollback line, and
// the Events as marks on every plot. One point per recorded look. `window.fledgePlots` lists the
// charts drawn (for tests and for people poking at the page).

/** Plain browser JavaScript (no modules, no network). */
export const plotsScript = String.raw`
(function () {
  'use strict';
  var colours = { canary: '#d9480f', primary: '#1c7ed6', weight: '#5f3dc4', line: '#c92a2a', mark: 'rgba(90,90,90,0.45)', warning: 'rgba(201,42,42,0.6)' };
  var metricColours = ['#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#5c940d'];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function rate(events, requests) {
    return events.map(function (e, i) {
      var n = requests[i];
      return e === null || n === null || n === undefined || n <= 0 ? null : (100 * e) / n;
    });
  }

  // Vertical lines at the Events' times (Warnings in red), drawn over each plot.
  function marksPlugin(marks) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = 1;
          marks.forEach(function (mark) {
            ctx.strokeStyle = mark.warning ? colours.warning : colours.mark;
            var x = u.valToPos(mark.t, 'x', true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          });
          ctx.restore();
        }],
      },
    };
  }

  function chart(host, spec, marks) {
    var box = el('figure', { class: 'plot', 'data-plot': spec.key });
    box.appendChild(el('figcaption', {}, spec.title));
    host.appendChild(box);
    var width = Math.max(360, Math.min(980, host.clientWidth || 900));
    var opts = {
      width: width,
      height: 220,
      plugins: [marksPlugin(marks)],
      scales: spec.scales || {},
      axes: [{}, { label: spec.unit, size: 60 }],
      series: [{ label: 'time' }].concat(spec.series),
    };
    var u = new uPlot(opts, spec.data, box);
    window.fledgePlots.push({ key: spec.key, title: spec.title, chart: u });
    return u;
  }

  function specs(run) {
    var looks = run.looks;
    var start = Date.parse(run.startedAt) / 1000;
    var x = looks.atMs.map(function (ms) { return start + ms / 1000; });
    var list = [{
      key: 'weight', title: 'Canary weight (% of requests)', unit: '%',
      scales: { y: { range: [0, 100] } },
      series: [{ label: 'weight', stroke: colours.weight, width: 2, paths: uPlot.paths.stepped({ align: 1 }) }],
      data: [x, looks.weight],
    }];
    Object.keys(looks.canaryEvents).forEach(function (name) {
      var primary = looks.primaryEvents[name] || looks.atMs.map(function () { return null; });
      list.push({
        key: 'rate-' + name, title: name + ' per request: canary vs primary (%)', unit: '%',
        series: [
          { label: 'canary', stroke: colours.canary, width: 2, spanGaps: false, points: { show: true } },
          { label: 'primary', stroke: colours.primary, width: 2, spanGaps: false, points: { show: true } },
        ],
        data: [x, rate(looks.canaryEvents[name], looks.canaryRequests), rate(primary, looks.primaryRequests)],
      });
    });
    var metrics = Object.keys(looks.evidence);
    if (metrics.length > 0) {
      var series = metrics.map(function (name, i) {
        return { label: name, stroke: metricColours[i % metricColours.length], width: 2, points: { show: true } };
      });
      var data = [x].concat(metrics.map(function (name) {
        return looks.evidence[name].map(function (v) { return v === null ? null : Math.max(v, 1e-6); });
      }));
      if (run.rollbackAt !== null) {
        series.push({ label: 'rollback at ' + run.rollbackAt, stroke: colours.line, width: 1, dash: [8, 4], points: { show: false } });
        data.push(looks.atMs.map(function () { return run.rollbackAt; }));
      }
      list.push({ key: 'evidence', title: 'Evidence against the canary (e-value, log scale)', unit: 'e-value', scales: { y: { distr: 3 } }, series: series, data: data });
    }
    return list;
  }

  function runTitle(view) {
    var run = view.run;
    var what = view.which === 'current' ? 'Current run' : 'Last run';
    var outcome = run.outcome === null ? 'in flight' : run.outcome;
    var thinned = run.thinned > 0 ? ', ' + run.thinned + ' older looks thinned' : '';
    return what + ': revision ' + run.revision + ' (' + outcome + '), ' + run.looks.atMs.length + ' looks' + thinned;
  }

  function eventTable(events) {
    var table = el('table', { class: 'events' });
    var head = el('tr');
    ['time', 'type', 'reason', 'message'].forEach(function (h) { head.appendChild(el('th', {}, h)); });
    table.appendChild(head);
    events.forEach(function (e) {
      var tr = el('tr', { class: e.type === 'Warning' ? 'warning' : '' });
      [new Date(e.at).toISOString().replace('T', ' ').slice(0, 19), e.type, e.reason, e.message].forEach(function (c) { tr.appendChild(el('td', {}, c)); });
      table.appendChild(tr);
    });
    return table;
  }

  function notesList(run) {
    var list = el('ul', { class: 'notes' });
    var start = Date.parse(run.startedAt);
    run.looks.notes.forEach(function (n) {
      var at = new Date(start + (run.looks.atMs[n.look] || 0)).toISOString().replace('T', ' ').slice(0, 19);
      list.appendChild(el('li', {}, at + '  ' + n.text));
    });
    return list;
  }

  window.fledgeRender = function (view, host) {
    (window.fledgePlots || []).forEach(function (p) { p.chart.destroy(); });
    window.fledgePlots = [];
    host.textContent = '';
    if (view.run === null) {
      host.appendChild(el('p', { class: 'empty' }, 'No run recorded yet: the history starts with the next revision.'));
      host.appendChild(eventTable(view.events));
      return;
    }
    host.appendChild(el('h2', { class: 'run' }, runTitle(view)));
    if (view.last !== null) {
      var last = view.last;
      host.appendChild(el('p', { class: 'note' }, 'Before it: revision ' + last.revision + ', ' + last.outcome + (last.endedAt === null ? '' : ' at ' + last.endedAt.replace('T', ' ').slice(0, 19))));
    }
    var start = Date.parse(view.run.startedAt);
    var end = view.run.endedAt === null ? Infinity : Date.parse(view.run.endedAt);
    var marks = view.events.filter(function (e) { return e.at >= start - 1000 && e.at <= end + 1000; }).map(function (e) { return { t: e.at / 1000, warning: e.type === 'Warning' }; });
    specs(view.run).forEach(function (spec) { chart(host, spec, marks); });
    host.appendChild(el('h2', {}, 'Reasons'));
    host.appendChild(notesList(view.run));
    host.appendChild(el('h2', {}, 'Events'));
    host.appendChild(eventTable(view.events));
  };
})();
`;

/** The page's look, shared by the dashboard and the report. */
export const pageStyle = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #212529; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #dee2e6; vertical-align: top; }
tr.warning td { color: #c92a2a; }
.phase { font-weight: 600; } .message { max-width: 60rem; }
figure.plot { margin: .6rem 0 1rem; } figcaption { font-weight: 600; margin-bottom: .2rem; }
.actions button { margin-right: .4rem; padding: .3rem .8rem; } .actions button:disabled { opacity: .45; }
.note { color: #495057; } a { color: #1c7ed6; }
`;
