// The controller's two small HTTP listeners: health (/healthz alive, /readyz synced) and
// /metrics (prom-client's default registry plus process metrics).
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, register } from 'prom-client';
import { listenAddress } from './settings.ts';

export interface Probes {
  readonly close: () => Promise<void>;
  /** Bound addresses, `host:port` (useful when a port was 0). */
  readonly health: string;
  readonly metrics: string;
}

async function listen(server: Server, address: string): Promise<string> {
  const { host, port } = listenAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  return bound !== null && typeof bound === 'object' ? `${bound.address}:${bound.port}` : address;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

let defaultsCollected = false;

/** Starts both listeners; `ready()` answers /readyz. */
export async function startProbes(input: { healthAddr: string; metricsAddr: string; ready: () => boolean }): Promise<Probes> {
  if (!defaultsCollected) collectDefaultMetrics();
  defaultsCollected = true;
  const health = createServer((request, response) => {
    const ok = request.url === '/healthz' || (request.url === '/readyz' && input.ready());
    const known = request.url === '/healthz' || request.url === '/readyz';
    response.writeHead(ok ? 200 : known ? 503 : 404, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
  });
  const metrics = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    register.metrics().then(
      (text) => response.writeHead(200, { 'content-type': register.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  const healthBound = await listen(health, input.healthAddr);
  const metricsBound = await listen(metrics, input.metricsAddr);
  return { health: healthBound, metrics: metricsBound, close: async () => { await Promise.all([close(health), close(metrics)]); } };
}
