// One keep-alive connection pool for every API request. @kubernetes/client-node 1.4 builds a new
// http(s).Agent for each request (KubeConfig.applySecurityAuthentication), so every call opens a
// fresh TCP (and TLS) connection. Here each request's agent is swapped for a shared keep-alive
// agent with the same TLS settings, so calls reuse warm connections.
//
// The pool is also the last place a request passes before its bytes go out, so it is where a
// replica that may no longer write is stopped (the fence): a write whose reconcile began while
// leading, then stalled (a frozen process, a long GC) past the lease, is refused here instead of
// reaching the API while another replica leads. And every request names the replica in its
// User-Agent, which the API server's audit log records.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';

type Agent = http.Agent | https.Agent;

/** The TLS settings that make two agents different; everything else is the pool's. */
const tlsKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * No limit on connections in use: a request never waits in the pool for one. client-node's API
 * classes read answers through node-fetch 2, which takes a chunked answer (the API server's way
 * for JSON) as cut short ("Premature close") when its connection has already gone to a request
 * that was waiting for it; at --concurrency 64 that failed thousands of calls a release. What
 * bounds the connections is the callers: the work queue's concurrency, the event queue's sends.
 * Idle ones are kept up to the agent's default (256) and reused last in, first out.
 */
const maxSockets = Infinity;

function keyOf(agent: Agent): string {
  const options = (agent as Agent & { options?: Record<string, unknown> }).options ?? {};
  const tls = tlsKeys.map((key) => {
    const value = options[key];
    return Buffer.isBuffer(value) ? value.toString('base64') : (value ?? null);
  });
  return JSON.stringify([agent instanceof https.Agent ? 'https' : 'http', tls]);
}

export interface KeepAliveOptions {
  /** Checked as each request is made and again just before its bytes can go out: while false, every request but a read is refused unsent. */
  readonly mayWrite?: () => boolean;
  /** The User-Agent of every request (client-node sends node-fetch's otherwise). */
  readonly userAgent?: string;
}

const reads = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a refused write fails with: node-fetch keeps `code`, which mapApiError turns into FLEDGE_NOT_LEADER. */
function notSent(method: string): Error {
  return Object.assign(new Error(`not leading any more: ${method} not sent`), { code: 'FLEDGE_NOT_LEADER' });
}

/** Node's Agent hands each request its socket through addRequest, synchronously as the request is made. */
type AddRequest = (request: http.ClientRequest, options: unknown) => void;

/**
 * On a connection in use already the request is written in this tick: check now. On a new one
 * the request is only buffered until it connects (TLS: until the handshake ends), so hold it
 * back (cork) and check when it can go.
 */
function recheckBeforeSending(request: http.ClientRequest, socket: Socket, mayWrite: () => boolean): void {
  const refuse = (): void => {
    request.destroy(notSent(request.method));
  };
  if (!socket.connecting) {
    if (!mayWrite()) refuse();
    return;
  }
  socket.cork();
  socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
    if (!mayWrite()) return refuse();
    socket.uncork();
  });
}

function fenced(agent: Agent, mayWrite: () => boolean): Agent {
  const proto = Object.getPrototypeOf(agent) as { addRequest: AddRequest };
  const add = proto.addRequest;
  (agent as unknown as { addRequest: AddRequest }).addRequest = function addRequest(this: Agent, request, options) {
    if (!reads.has(request.method)) {
      if (!mayWrite()) {
        // As the agent fails a request whose connection could not be made: no socket, an error.
        (request as unknown as { onSocket: (socket: null, error: Error) => void }).onSocket(null, notSent(request.method));
        return;
      }
      // Checked again just before the request's bytes can go out: a request can wait here for a
      // free connection (all in use), or for a new one to connect, past the end of the lease.
      request.once('socket', (socket) => recheckBeforeSending(request, socket, mayWrite));
    }
    add.call(this, request, options);
  };
  return agent;
}

function pooled(agent: Agent, mayWrite: (() => boolean) | undefined): Agent {
  const options = { ...(agent as Agent & { options?: https.AgentOptions }).options, keepAlive: true, maxSockets, scheduling: 'lifo' as const };
  const made = agent instanceof https.Agent ? new https.Agent(options) : new http.Agent(options);
  return mayWrite === undefined ? made : fenced(made, mayWrite);
}

/**
 * Makes every API client built from `kc` (before or after this call) share keep-alive agents.
 * Idempotent (the first call's options stay). Returns `kc` and a function that closes the pooled
 * connections. A KubeConfig shared with something that must write regardless (the leader
 * election's Lease) is copied first (copyKubeConfig).
 */
export function withKeepAlive(kc: KubeConfig, options: KeepAliveOptions = {}): { kc: KubeConfig; close: () => void } {
  const marked = kc as Pooled;
  if (marked.fledgeKeepAlive !== undefined) return { kc, close: marked.fledgeKeepAlive.close };
  const agents = new Map<string, Agent>();
  const agentFor = (fresh: Agent): Agent => {
    const key = keyOf(fresh);
    let shared = agents.get(key);
    if (shared === undefined) {
      shared = pooled(fresh, options.mayWrite);
      agents.set(key, shared);
    }
    return shared;
  };
  const original = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context): Promise<void> => {
    await original(context);
    if (options.userAgent !== undefined) context.setHeaderParam('User-Agent', options.userAgent);
    const fresh = context.getAgent();
    if (fresh !== undefined) context.setAgent(agentFor(fresh));
  };
  // Watches and lists of the informers are set up through applyToFetchOptions instead: they name the replica too.
  const userAgent = options.userAgent;
  if (userAgent !== undefined) {
    const fetchOptions = kc.applyToFetchOptions.bind(kc);
    kc.applyToFetchOptions = async (opts) => {
      const init = await fetchOptions(opts);
      (init.headers as { set(name: string, value: string): void } | undefined)?.set('User-Agent', userAgent);
      return init;
    };
  }
  const close = (): void => {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
  };
  marked.fledgeKeepAlive = { close, agentFor, ...(userAgent === undefined ? {} : { userAgent }) };
  return { kc, close };
}

/** What withKeepAlive leaves on a KubeConfig, for requests made without client-node's API classes (json-requests.ts). */
interface Pool {
  readonly close: () => void;
  readonly agentFor: (fresh: Agent) => Agent;
  readonly userAgent?: string;
}

type Pooled = KubeConfig & { fledgeKeepAlive?: Pool };

/** The pooled (and fenced) agent standing in for `fresh`, an agent client-node made for one request, with the User-Agent to send; `fresh` when `kc` has no pool. */
export function pooledAgent(kc: KubeConfig, fresh: Agent): { agent: Agent; userAgent: string | undefined } {
  const pool = (kc as Pooled).fledgeKeepAlive;
  return pool === undefined ? { agent: fresh, userAgent: undefined } : { agent: pool.agentFor(fresh), userAgent: pool.userAgent };
}

/**
 * A KubeConfig with the same clusters, users and contexts, whose requests can be set up apart from
 * the original's. Of the same class: a subclass's overrides (one that counts requests) still run.
 */
export function copyKubeConfig(kc: KubeConfig): KubeConfig {
  const copy = new (kc.constructor as new () => KubeConfig)();
  copy.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  return copy;
}
