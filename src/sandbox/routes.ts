// The simulated mesh's routing table, pure: which ready pods of which deployment take what share
// of an app's requests, and how a batch of requests is spread over them.
import type { Random } from './random.ts';

export interface PodInfo {
  readonly name: string;
  readonly image: string;
}

export interface Backend {
  /** The Deployment whose pods back this Service (metrics label `deployment`). */
  readonly deployment: string;
  /** Integer share of requests, 0..100. */
  readonly weight: number;
  /** Ready pods only: the mesh never sends requests to an unready pod. */
  readonly pods: readonly PodInfo[];
}

export interface Route {
  readonly namespace: string;
  readonly app: string;
  /** Where requests go (all of them, or those that carry no A/B headers when `matched` is set). */
  readonly backends: readonly Backend[];
  /** A/B: the share of requests that carry the tester headers, and where the route sends those. */
  readonly matched?: { readonly share: number; readonly backends: readonly Backend[] };
}

export interface Assignment {
  readonly deployment: string;
  readonly pod: PodInfo;
  readonly requests: number;
}

export interface Spread {
  readonly assignments: readonly Assignment[];
  /** Requests routed to a backend without ready pods (the mesh answers 503; no pod sees them). */
  readonly unserved: number;
}

/** Splits `n` items into `k` near-equal random parts (a multinomial by successive binomials). */
function evenly(n: number, k: number, random: Random): number[] {
  const parts: number[] = [];
  let left = n;
  for (let index = 0; index < k; index += 1) {
    const share = index === k - 1 ? left : random.binomial(left, 1 / (k - index));
    parts.push(share);
    left -= share;
  }
  return parts;
}

/** Spreads `n` requests over the backends by weight, then evenly over each backend's ready pods. */
export function spread(route: Route, n: number, random: Random): Spread {
  const assignments: Assignment[] = [];
  let unserved = 0;
  let left = n;
  let weightLeft = route.backends.reduce((sum, backend) => sum + Math.max(0, backend.weight), 0);
  for (const backend of route.backends) {
    const weight = Math.max(0, backend.weight);
    const share = weightLeft <= 0 ? 0 : random.binomial(left, Math.min(1, weight / weightLeft));
    left -= share;
    weightLeft -= weight;
    if (share === 0) continue;
    if (backend.pods.length === 0) {
      unserved += share;
      continue;
    }
    evenly(share, backend.pods.length, random).forEach((requests, index) => {
      const pod = backend.pods[index];
      if (pod !== undefined && requests > 0) assignments.push({ deployment: backend.deployment, pod, requests });
    });
  }
  return { assignments, unserved: unserved + left };
}

/** Reads a TrafficSplit backend weight: v1alpha2 integers, v1alpha1 quantities ("900m"), or strings. */
export function parseWeight(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return 0;
  const milli = /^(\d+)m$/.exec(value);
  if (milli?.[1] !== undefined) return Number(milli[1]) / 1000;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}
