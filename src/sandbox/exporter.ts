// One loopback HTTP endpoint serving every simulated pod's proxy metrics at /metrics.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PodMetrics } from './pod-metrics.ts';

export interface Exporter {
  /** host:port, for the scrape config. */
  readonly target: string;
  stop(): Promise<void>;
}

export async function startExporter(metrics: PodMetrics): Promise<Exporter> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.exposition());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
