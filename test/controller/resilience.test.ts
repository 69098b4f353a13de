import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHarness, type MemoryHarness } from '../support/release-harness.ts';
import { isFledgeError } from '../../src/errors.ts';
import { seeded } from '../support/sim.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,30,50', 'fledge.dev/progress-deadline': '3m' };
const terminal = (s: Record<string, any>) => s.phase === 'Succeeded' || s.phase === 'Failed';
const healthy = () => ({ failure: 0.005, slow: 0.002 });
const broken = () => ({ failure: 0.08, slow: 0.002 });

async function release(h: MemoryHarness, good: boolean): Promise<Record<string, any>> {
  h.script = { ...h.script, canary: good ? healthy : broken };
  await h.setImage('app', good ? 'app:2.0' : 'app:bad');
  return h.runUntil('app', terminal, 600);
}

const targets = [
  { verb: 'update', resource: 'trafficsplits' },
  { verb: 'create', resource: 'trafficsplits' },
  { verb: 'patch', resource: 'deployments/scale' },
  { verb: 'update', resource: 'deployments' },
  { verb: 'update', resource: 'canaries/status' },
  { verb: 'create', resource: 'events' },
  { verb: 'get', resource: 'deployments' },
  { verb: 'get', resource: 'canaries' },
] as const;

describe('restarts and API faults change no outcome', () => {
  for (const good of [true, false]) {
    it(`a ${good ? 'good' : 'bad'} release ends ${good ? 'promoted' : 'rolled back'} though the controller restarts before every reconcile`, async (t) => {
      const h = await memoryHarness(t);
      await h.deploy('app', { annotations: fast });
      await h.runUntil('app', (s) => s.phase === 'Ready');
      h.beforeStep = () => h.restart();
      const canary = await release(h, good);
      assert.equal(canary.status.phase, good ? 'Succeeded' : 'Failed', canary.status.message);
      assert.deepEqual(h.violations, []);
    });

    it(`a ${good ? 'good' : 'bad'} release survives 409/429/500 storms mid-reconcile with the same outcome`, async (t) => {
      const h = await memoryHarness(t);
      await h.deploy('app', { annotations: fast });
      await h.runUntil('app', (s) => s.phase === 'Ready');
      const rng = seeded(good ? 7 : 11);
      const random = (): number => rng.uniform();
      const statuses = [409, 429, 500] as const;
      h.beforeStep = () => {
        h.cluster.log.clear();
        if (random() < 0.8) {
          const target = targets[Math.floor(random() * targets.length)]!;
          h.cluster.log.failNext({ verb: target.verb, resource: target.resource }, 1 + Math.floor(random() * 3), statuses[Math.floor(random() * 3)]!);
        }
      };
      const canary = await release(h, good);
      h.cluster.log.clear();
      assert.equal(canary.status.phase, good ? 'Succeeded' : 'Failed', canary.status.message);
      assert.ok(h.errors.length > 0, 'faults were injected and seen');
      assert.ok(h.errors.every((e) => isFledgeError(e)), `every failure is a coded FledgeError: ${String(h.errors.find((e) => !isFledgeError(e)))}`);
      assert.deepEqual(h.violations, []);
      const primaryImage = (await h.deployment('app-primary')).spec?.template.spec?.containers[0]?.image;
      assert.equal(primaryImage, good ? 'app:2.0' : 'app:1.0');
      assert.equal((await h.deployment('app')).spec?.replicas, 0);
    });
  }
});
