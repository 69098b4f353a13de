import { it } from 'node:test';
import assert from 'node:assert/strict';
import { guardRouter } from '../../src/controller/write-guard.ts';
import type { RouteRef, RouteState, TrafficRouter } from '../../src/ports.ts';

class Router implements TrafficRouter {
  readonly #writes: number[] = [];
  get writes(): readonly number[] {
    return this.#writes;
  }
  async read(_ref: RouteRef): Promise<RouteState> {
    return { kind: 'routed', canaryWeight: this.#writes.at(-1) ?? 0, primaryWeight: 100 - (this.#writes.at(-1) ?? 0), exact: true };
  }
  async write(_ref: RouteRef, canaryWeight: number): Promise<void> {
    this.#writes.push(canaryWeight);
  }
  async remove(_ref: RouteRef): Promise<void> {}
}

const ref: RouteRef = { namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary' };

it('lets a replica that may act read and write, and refuses every write once it may not', async () => {
  let leading = true;
  const inner = new Router();
  const router = guardRouter(inner, () => leading);
  await router.write(ref, 10);
  assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 10, primaryWeight: 90, exact: true });
  leading = false;
  await assert.rejects(router.write(ref, 50), (error: Error & { code?: string }) => error.code === 'FLEDGE_NOT_LEADER');
  await assert.rejects(router.remove(ref), /not leading/);
  assert.deepEqual(inner.writes, [10], 'nothing was written after leadership ended');
  assert.equal((await router.read(ref)).kind, 'routed', 'reads still work');
});
