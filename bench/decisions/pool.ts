// Runs cell jobs on worker threads (one per core by default), handing each idle worker the next
// job. Results come back in any order; the caller sorts them.
import { Worker } from 'node:worker_threads';
import type { CellJob, CellResult } from './cell.ts';

const workerUrl = new URL('./worker.ts', import.meta.url);
// Node 20 does not pass the tsx loader on to workers: register it inside, then load the entry.
const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`;

export interface PoolOptions {
  readonly workers: number;
  readonly onResult?: (result: CellResult, done: number, total: number) => void;
}

function runWorker(queue: CellJob[], results: CellResult[], options: PoolOptions & { total: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true });
    const next = (): void => {
      const job = queue.shift();
      if (job === undefined) {
        void worker.terminate().then(() => resolve());
        return;
      }
      worker.postMessage(job);
    };
    worker.on('message', (result: CellResult) => {
      results.push(result);
      options.onResult?.(result, results.length, options.total);
      next();
    });
    worker.on('error', reject);
    next();
  });
}

export async function runPool(jobs: readonly CellJob[], options: PoolOptions): Promise<CellResult[]> {
  const queue = [...jobs];
  const results: CellResult[] = [];
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  await Promise.all(Array.from({ length: count }, () => runWorker(queue, results, { ...options, total: jobs.length })));
  return results;
}
