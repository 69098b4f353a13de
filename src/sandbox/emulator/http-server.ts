// The HTTP(S) shell: reads bodies, writes JSON replies, tracks connections for a clean stop.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ServingCertificate } from './certificate.ts';
import { serveApi, type ApiContext } from './api.ts';
import { internalError, requestTooLarge } from './status.ts';
import type { Reply } from './types.ts';

const maxBodyBytes = 3 * 1024 * 1024;

/** The body, or null when it is over the API server's limit (read to the end, not kept). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? null : Buffer.concat(chunks)));
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
    if (body === null) return write(res, { code: 413, body: requestTooLarge(maxBodyBytes) });
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
  /** Stops accepting, drops idle and open connections, resolves when closed. */
  close(): Promise<void>;
}

/** A TLS record starts with 0x16 (handshake); anything else on the port is plain HTTP. */
const tlsHandshake = 0x16;

/** Hands each connection to the HTTPS or the HTTP server by its first byte: both on one port. */
function frontDoor(plain: HttpServer, secure: HttpsServer, sockets: Set<Socket>): Server {
  return createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] === tlsHandshake) {
        // The TLS socket reads what is buffered itself, then takes over the handle.
        secure.emit('connection', socket);
        return;
      }
      plain.emit('connection', socket);
      socket.resume();
    });
  });
}

/**
 * Listens on 127.0.0.1 (port 0 = ephemeral), serving HTTP and HTTPS (with `certificate`) on the
 * same port: kubectl sends credentials only over TLS, while in-process clients stay on plain HTTP.
 */
export function listen(ctx: ApiContext, options: { port: number; certificate: ServingCertificate }, log: (msg: string) => void): Promise<RunningServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => void handle(ctx, req, res, log);
  const plain = createServer(handler);
  const secure = createHttpsServer({ key: options.certificate.key, cert: options.certificate.cert }, handler);
  for (const server of [plain, secure]) server.keepAliveTimeout = 30_000;
  const sockets = new Set<Socket>();
  const server = frontDoor(plain, secure, sockets);
  const close = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve());
    sockets.forEach((socket) => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port, close });
    });
  });
}
