import { it } from 'node:test';
import { memoryHarness } from '../test/support/release-harness.ts';
it('size', async (t) => {
  const h = await memoryHarness(t);
  await h.deploy('app', { annotations: { 'fledge.dev/interval': '1m', 'fledge.dev/bake': '1m', 'fledge.dev/steps': '10,50' } });
  await h.runUntil('app', (s) => s.phase === 'Ready');
  await h.setImage('app', 'app:2.0');
  let mid = 0;
  await h.runUntil('app', (s) => { if (s.step === 2) mid = Math.max(mid, JSON.stringify(s).length); return s.phase === 'Succeeded' || s.phase === 'Ready' && s.lastPromotedRevision !== undefined && s.step === null; }, 2000);
  const c = await h.canary('app');
  console.log('mid-run status bytes', mid);
  console.log('canary bytes', JSON.stringify(c).length, 'status', JSON.stringify(c.status).length);
  for (const [k, v] of Object.entries(c.status)) console.log(k, JSON.stringify(v).length);
  console.log(JSON.stringify(c.status, null, 1).slice(0, 6000));
});
