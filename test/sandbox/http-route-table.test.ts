// The sandbox mesh reads an HTTPRoute as an implementation would: a request goes by the most
// specific rule that fits it, and a route is reported on per generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendsFor, meshParent, reportedOn } from '../../src/sandbox/http-route-table.ts';
import { parentsStatus } from '../../src/sandbox/route-status.ts';

const refs = (primary: number, canary: number) => [{ name: 'app-primary', port: 80, weight: primary }, { name: 'app-canary', port: 80, weight: canary }];
const ab = {
  metadata: { generation: 3 },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'app', port: 80 }],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-beta', value: '1' }] }], backendRefs: refs(0, 100) },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: refs(100, 0) },
    ],
  },
};

test('a request with the header goes by the header rule, any other by the catch-all', () => {
  assert.deepEqual(backendsFor(ab, { 'X-Beta': '1' }), [{ service: 'app-primary', weight: 0 }, { service: 'app-canary', weight: 100 }]);
  assert.deepEqual(backendsFor(ab, {}), [{ service: 'app-primary', weight: 100 }, { service: 'app-canary', weight: 0 }]);
  assert.deepEqual(backendsFor(ab, { 'x-beta': '2' }), [{ service: 'app-primary', weight: 100 }, { service: 'app-canary', weight: 0 }]);
});

test('a cookie match (a regular expression on Cookie) fits only the right cookie', () => {
  const route = { spec: { rules: [{ matches: [{ headers: [{ type: 'RegularExpression', name: 'Cookie', value: '(^|;\\s*)group=b(;|$)' }] }], backendRefs: refs(0, 1) }] } };
  assert.equal(backendsFor(route, { cookie: 'a=1; group=b' }).length, 2);
  assert.deepEqual(backendsFor(route, { cookie: 'group=bb' }), [], 'no rule fits: nothing routes it');
});

test('the mesh serves routes whose parent is the app\'s Service, and reports on each generation once', () => {
  assert.equal(meshParent(ab, 'app'), true);
  assert.equal(meshParent({ spec: { parentRefs: [{ kind: 'Gateway', name: 'public' }] } }, 'app'), false);
  assert.equal(reportedOn(ab), false);
  const reported = { ...ab, status: parentsStatus(ab, { accepted: true, now: 0 }) };
  assert.equal(reportedOn(reported), true);
  assert.equal(reportedOn({ ...reported, metadata: { generation: 4 } }), false);
});

test('fledge sandbox refuses an unknown --router before starting anything, naming what is allowed (exit 4)', async () => {
  const { runCli } = await import('../../src/cli/main.ts');
  const err: string[] = [];
  const code = await runCli(['sandbox', '--router', 'istio'], { out: () => undefined, err: (line) => err.push(line), env: {}, isTty: false });
  assert.equal(code, 4);
  assert.match(err.join('\n'), /--router istio: one of smi, gateway-api/);
});
