import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { parseCanary, type CanaryObject } from '../../../src/adapters/kube/canary-resource.ts';
import { FledgeError } from '../../../src/errors.ts';
import { runWait, type WaitOptions } from '../../../src/cli/wait/loop.ts';
import { currentRevision, type LookDeps } from '../../../src/cli/wait/look.ts';
import { redrawPrefix } from '../../../src/cli/wait/render.ts';


const deployment: V1Deployment = {
  metadata: { name: 'app', namespace: 'default', annotations: { 'fledge.dev/canary': 'true' } },
  spec: { selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'app:2' }] } } },
};

/** Each call to canaries.get answers the next entry; an Error entry is thrown. */
function deps(answers: Array<CanaryObject | null | Error>): LookDeps {
  let call = 0;
  return {
    cluster: { getDeployment: () => Promise.resolve(deployment), getConfigMap: () => Promise.resolve(null), getSecret: () => Promise.resolve(null) },
    canaries: {
      get: () => {
        const answer = answers[Math.min(call, answers.length - 1)] ?? null;
        call += 1;
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    },
  };
}

function canary(status: Record<string, unknown>): CanaryObject {
  return parseCanary({ metadata: { name: 'app', namespace: 'default' }, spec: { steps: [50] }, status });
}

function run(lookDeps: LookDeps, overrides: Partial<WaitOptions> & { isTty?: boolean } = {}) {
  let now = 0;
  const out: string[] = [];
  const err: string[] = [];
  const options: WaitOptions = { namespace: 'default', name: 'app', revision: null, timeoutMs: 60_000, untilPaused: false, output: 'text', pollMs: 1000, retryForMs: 10_000, ...overrides };
  const exit = runWait({
    options,
    deps: lookDeps,
    runtime: { now: () => now, sleep: (ms) => { now += ms; return Promise.resolve(); } },
    io: { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTty: overrides.isTty ?? false },
  });
  return { exit, out, err };
}

const outage = new FledgeError('FLEDGE_API_UNAVAILABLE', 'get canary default/app: connect ECONNREFUSED');

void describe('the fledge wait loop', async () => {
  const ours = await currentRevision({ ...deps([]) }, deployment);

  void it('rides out a short API outage and still reports the outcome', async () => {
    const { exit, err } = run(deps([outage, outage, canary({ phase: 'Succeeded', revision: ours, lastPromotedRevision: ours })]));
    assert.equal(await exit, 0);
    assert.ok(err.some((l) => l.includes('retrying')));
    assert.ok(err.some((l) => l.includes('reachable again')));
  });

  void it('gives up with exit 5 once the outage outlasts the retry budget', async () => {
    const { exit } = run(deps([outage]), { retryForMs: 5000 });
    assert.equal(await exit, 5);
  });

  void it('times out with exit 2 while the controller never starts the revision', async () => {
    const { exit, err } = run(deps([canary({ phase: 'Succeeded', revision: 'aaaaaaaaaa', lastPromotedRevision: 'aaaaaaaaaa' })]), { timeoutMs: 5000 });
    assert.equal(await exit, 2);
    assert.match(err.join('\n'), /timed out waiting for revision/);
  });

  void it('redraws one live line in place on a terminal', async () => {
    const progressing = canary({ phase: 'Progressing', revision: ours, step: 1, canaryWeight: 50 });
    const { exit, out } = run(deps([progressing, progressing, canary({ phase: 'Succeeded', revision: ours, lastPromotedRevision: ours })]), { isTty: true });
    assert.equal(await exit, 0);
    assert.ok(!out[0]!.startsWith(redrawPrefix));
    assert.ok(out[1]!.startsWith(redrawPrefix));
  });

  void it('waits for a given --revision rather than the Deployment\'s', async () => {
    const { exit } = run(deps([canary({ phase: 'Failed', revision: 'cccccccccc', lastFailedRevision: 'cccccccccc' })]), { revision: 'cccccccccc' });
    assert.equal(await exit, 1);
  });

  void it('prints the same progress and result records as YAML documents with -o yaml as JSON lines with -o json', async () => {
    const answers = (): LookDeps => deps([canary({ phase: 'Progressing', revision: ours, step: 1, canaryWeight: 50 }), canary({ phase: 'Succeeded', revision: ours, lastPromotedRevision: ours })]);
    const json = run(answers(), { output: 'json' });
    const yaml = run(answers(), { output: 'yaml' });
    assert.equal(await json.exit, 0);
    assert.equal(await yaml.exit, 0);
    const records = json.out.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(records.map((r) => r['type']), ['progress', 'progress', 'result']);
    assert.deepEqual(parseAllDocuments(yaml.out.join('\n')).map((doc) => doc.toJSON() as unknown), records);
  });
});
