// One keep-alive connection pool for every API request. @kubernetes/client-node 1.4 builds a new
// http(s).Agent for each request (KubeConfig.applySecurityAuthentication), so every call opens a
// fresh TCP (and TLS) connection. Here each request's agent is swapped for a shared keep-alive
// agent with the same TLS settings, so calls reuse warm connections.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type Agent = http.Agent | https.Agent;

/** The TLS settings that make two agents different; everything else is the pool's. */
const tlsKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Sockets kept per host: enough for the work queue's concurrency plus watches. */
const maxSockets = 64;

function keyOf(agent: Agent): string {
  const options = (agent as Agent & { options?: Record<string, unknown> }).options ?? {};
  const tls = tlsKeys.map((key) => {
    const value = options[key];
    return Buffer.isBuffer(value) ? value.toString('base64') : (value ?? null);
  });
  return JSON.stringify([agent instanceof https.Agent ? 'https' : 'http', tls]);
}

function pooled(agent: Agent): Agent {
  const options = { ...(agent as Agent & { options?: https.AgentOptions }).options, keepAlive: true, maxSockets, scheduling: 'lifo' as const };
  return agent instanceof https.Agent ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Makes every API client built from `kc` (before or after this call) share keep-alive agents.
 * Idempotent. Returns `kc` and a function that closes the pooled connections.
 */
export function withKeepAlive(kc: KubeConfig): { kc: KubeConfig; close: () => void } {
  const agents = new Map<string, Agent>();
  const marked = kc as KubeConfig & { fledgeKeepAlive?: () => void };
  if (marked.fledgeKeepAlive !== undefined) return { kc, close: marked.fledgeKeepAlive };
  const original = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context): Promise<void> => {
    await original(context);
    const fresh = context.getAgent();
    if (fresh === undefined) return;
    const key = keyOf(fresh);
    let shared = agents.get(key);
    if (shared === undefined) {
      shared = pooled(fresh);
      agents.set(key, shared);
    }
    context.setAgent(shared);
  };
  const close = (): void => {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
  };
  marked.fledgeKeepAlive = close;
  return { kc, close };
}
