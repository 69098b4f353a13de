// fledge loadtester's service over real HTTP on 127.0.0.1, with a recording driver.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { signBody } from '../../src/adapters/notify/json-webhook.ts';
import { createHttpDriver } from '../../src/loadtester/http-driver.ts';
import { LoadJobs, type LoadJob } from '../../src/loadtester/jobs.ts';
import { createLoadTesterServer, type LoadTesterOptions } from '../../src/loadtester/server.ts';
import { createServer } from 'node:http';

const target = 'http://podinfo.test.svc:9898/';

async function start(t: TestContext, options: Partial<LoadTesterOptions> = {}): Promise<{ base: string; started: LoadJob[]; stopped: LoadJob[]; jobs: LoadJobs }> {
  const started: LoadJob[] = [];
  const stopped: LoadJob[] = [];
  const jobs = new LoadJobs({ start: (job) => { started.push(job); return { stop: () => stopped.push(job) }; } });
  const server = createLoadTesterServer({ jobs, allow: [target], ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    jobs.stopAll();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, started, stopped, jobs };
}

const hookBody = JSON.stringify({ id: 'k', hook: 'rollout', interval: { start: 0, durationMs: 20_000 } });

function post(url: string, body = hookBody, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('fledge loadtester', () => {
  it('starts load for the hook\'s interval (× 1.5, so calls each interval leave no gap) and answers 202 at once', async (t) => {
    const lt = await start(t);
    const response = await post(`${lt.base}/load?target=${encodeURIComponent(target)}&rate=50`);
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { started: true, replaced: false, rate: 50, durationMs: 30_000 });
    assert.deepEqual(lt.started, [{ target, rate: 50, durationMs: 30_000 }]);
  });

  it('replaces the running job of a target rather than stacking load', async (t) => {
    const lt = await start(t);
    await post(`${lt.base}/load?target=${encodeURIComponent(target)}&rate=50`);
    const again = await post(`${lt.base}/load?target=${encodeURIComponent(target)}&rate=80&duration=10s`);
    assert.equal(((await again.json()) as { replaced: boolean }).replaced, true);
    assert.equal(lt.stopped.length, 1);
    assert.deepEqual(lt.jobs.list(), [{ target, rate: 80, durationMs: 10_000 }]);
  });

  it('refuses targets outside --allow (no open relay), and rates or durations beyond its limits', async (t) => {
    const lt = await start(t);
    const cases: Array<[string, number]> = [
      [`target=${encodeURIComponent('http://169.254.169.254/latest')}&rate=5`, 403],
      [`target=${encodeURIComponent('https://example.com/')}&rate=5`, 403],
      [`target=${encodeURIComponent(target)}&rate=100000`, 400],
      [`target=${encodeURIComponent(target)}&rate=0`, 400],
      [`target=${encodeURIComponent(target)}&rate=5&duration=2h`, 400],
      [`target=${encodeURIComponent(target)}&rate=5&duration=soon`, 400],
    ];
    for (const [query, status] of cases) assert.equal((await post(`${lt.base}/load?${query}`)).status, status, query);
    assert.deepEqual(lt.started, []);
  });

  it('with a secret, takes only requests signed like Fledge\'s hooks', async (t) => {
    const lt = await start(t, { secret: 'shh' });
    const url = `${lt.base}/load?target=${encodeURIComponent(target)}&rate=5`;
    assert.equal((await post(url)).status, 401);
    const stamp = String(Math.floor(Date.now() / 1000));
    assert.equal((await post(url, hookBody, { 'x-fledge-signature': signBody('other', hookBody), 'x-fledge-timestamp': stamp })).status, 401);
    assert.equal((await post(url, hookBody, { 'x-fledge-signature': signBody('shh', hookBody), 'x-fledge-timestamp': '1000' })).status, 401, 'stale');
    assert.equal((await post(url, hookBody, { 'x-fledge-signature': signBody('shh', hookBody), 'x-fledge-timestamp': stamp })).status, 202);
  });

  it('refuses a huge body and unknown routes', async (t) => {
    const lt = await start(t);
    const huge = await post(`${lt.base}/load?target=${encodeURIComponent(target)}`, 'x'.repeat(200_000)).catch(() => null);
    assert.ok(huge === null || huge.status === 413);
    assert.equal((await fetch(`${lt.base}/nope`)).status, 404);
    assert.equal((await fetch(`${lt.base}/healthz`)).status, 200);
  });

  it('the HTTP driver sends about `rate` requests per second to the target', async (t) => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const handle = createHttpDriver().start({ target: url, rate: 50, durationMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    handle.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(hits >= 35 && hits <= 60, `${hits} requests in 1 s at 50/s`);
  });
});
