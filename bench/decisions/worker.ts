// Worker thread entry: runs each cell job it is sent and posts the result back.
import { parentPort } from 'node:worker_threads';
import { runCell, type CellJob } from './cell.ts';

parentPort?.on('message', (job: CellJob) => {
  parentPort?.postMessage(runCell(job));
});
