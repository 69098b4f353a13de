// One loopback HTTP endpoint serving metrics in the Prometheus text format at /metrics
// (every simulated pod's proxy metrics in the sandbox; test counters in tests).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exporter {
  /** host:port, for the scrape config. */
  readonly target: string;
  stop(): Promise<void>;
}

/** Serves `metrics.exposition()` at http://127.0.0.1:PORT/metrics until stopped. */
export async function startExporter(metrics: { exposition(): string }): Promise<Exporter> {
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
