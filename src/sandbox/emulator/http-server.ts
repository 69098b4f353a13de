// The HTTP shell: reads bodies, writes JSON replies, tracks connections for a clean stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveApi, type ApiContext } from './api.ts';
import { internalError } from './status.ts';
import type { Reply } from './types.ts';

const maxBodyBytes = 3 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const type = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(reply.code, { 'Content-Type': type, 'Cache-Control': 'no-cache, private', ...reply.headers });
  res.end(text);
}

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, log: (msg: string) => void): Promise<void> {
  try {
    const body = await readBody(req);
    const reply = await serveApi(ctx, req, body, res);
    if (reply !== undefined) write(res, reply);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`emulator: ${req.method ?? ''} ${req.url ?? ''} failed: ${message}`);
    write(res, { code: 500, body: internalError(message) });
  }
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
}

/** Listens on 127.0.0.1 (port 0 = ephemeral). */
export function listen(ctx: ApiContext, port: number, log: (msg: string) => void): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void handle(ctx, req, res, log);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Stops accepting, drops idle and open connections, resolves when closed. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
