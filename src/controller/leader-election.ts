// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: acquire a free or
// expired lease, renew it every retry period, and stop leading when no renewal succeeded for
// `renewDeadlineMs` — which is shorter than the lease, so the old leader has stopped before
// anyone else can acquire it. Every write carries the resourceVersion read (409 = lost race).
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import type { FledgeError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { createApiCaller } from '../adapters/kube/errors.ts';
import type { ApiCaller } from '../adapters/kube/errors.ts';
import { systemClock, systemTimers } from './timers.ts';
import type { Timers } from './timers.ts';

export interface LeaderElectionOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** Unique per process (e.g. pod name + random suffix). */
  readonly identity: string;
  /** How long a lease is valid after its last renewal (default 15 s; written in whole seconds). */
  readonly leaseDurationMs?: number;
  /** A leader that has not renewed for this long stops leading (default 10 s; < leaseDurationMs). */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default 2 s). */
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly onStartedLeading: () => void;
  /** Called at most once per term, before the lease could expire. */
  readonly onStoppedLeading: () => void;
  /** A failed attempt (the elector keeps trying); for logs and metrics. */
  readonly onError?: (error: FledgeError) => void;
}

type Attempt = 'leading' | 'held-by-other' | 'failed';

function millisOf(time: Date | string | undefined): number | null {
  if (time === undefined) return null;
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  return Number.isNaN(ms) ? null : ms;
}

export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #api: CoordinationV1Api;
  readonly #caller: ApiCaller;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  #leading = false;
  #renewedAt = 0;
  #running = false;
  #attempting: Promise<void> | null = null;
  #retryTimer: unknown = null;
  #deadlineTimer: unknown = null;

  constructor(options: LeaderElectionOptions) {
    this.#leaseMs = Math.ceil((options.leaseDurationMs ?? 15_000) / 1000) * 1000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (this.#renewDeadlineMs >= this.#leaseMs) throw new RangeError('renewDeadlineMs must be shorter than leaseDurationMs');
    this.#options = options;
    this.#api = options.kc.makeApiClient(CoordinationV1Api);
    this.#caller = createApiCaller(options.onError);
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * True while this replica may act: it leads and its last renewal is younger than the renew
   * deadline, read from the clock — timers fire late after a freeze (SIGSTOP, a long GC), so the
   * flag alone could let a stale leader write while another already leads.
   */
  mayAct(): boolean {
    return this.#leading && this.#clock.now() < this.#renewedAt + this.#renewDeadlineMs;
  }

  /** Starts trying to acquire (and then renew) the lease. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops trying; when leading, stops leading and clears holderIdentity so another can take over at once. */
  async release(): Promise<void> {
    this.#running = false;
    this.#timers.clear(this.#retryTimer);
    await this.#attempting;
    if (!this.#leading) return;
    this.#stepDown();
    const lease = await this.#read().catch(() => null);
    if (lease?.spec?.holderIdentity !== this.#options.identity) return;
    const spec = { ...lease.spec, holderIdentity: '', renewTime: new V1MicroTime(this.#clock.now()) };
    await this.#write({ ...lease, spec }).catch(() => undefined);
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#retryTimer = this.#timers.set(() => {
      this.#attempting = this.#attempt().finally(() => {
        this.#attempting = null;
        this.#schedule(this.#retryMs);
      });
    }, ms);
  }

  async #attempt(): Promise<void> {
    const outcome = await this.#tryAcquireOrRenew().catch((): Attempt => 'failed');
    // Someone else holds a valid lease: we must not act, whatever we thought.
    if (outcome === 'held-by-other' && this.#leading) this.#stepDown();
  }

  async #tryAcquireOrRenew(): Promise<Attempt> {
    const now = this.#clock.now();
    const lease = await this.#read();
    if (lease === null) {
      await this.#create(now);
      return this.#renewed(now);
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.#options.identity;
    if (!mine && this.#heldByOther(spec, now)) return 'held-by-other';
    await this.#write({
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.#options.identity,
        leaseDurationSeconds: this.#leaseMs / 1000,
        renewTime: new V1MicroTime(now),
        acquireTime: mine ? (spec.acquireTime ?? new V1MicroTime(now)) : new V1MicroTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    });
    return this.#renewed(now);
  }

  /** Held: a holder is named and renewTime + leaseDurationSeconds is not yet past. */
  #heldByOther(spec: V1LeaseSpec, now: number): boolean {
    const holder = spec.holderIdentity ?? '';
    const renewedAt = millisOf(spec.renewTime) ?? 0;
    return holder !== '' && renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000 >= now;
  }

  /** `at` is when the successful write was prepared: the lease expires no earlier than at + lease. */
  #renewed(at: number): Attempt {
    const remaining = at + this.#renewDeadlineMs - this.#clock.now();
    // Released meanwhile, or the answer came too late to count as a renewal.
    if (!this.#running || remaining <= 0) return 'failed';
    this.#renewedAt = at;
    this.#timers.clear(this.#deadlineTimer);
    this.#deadlineTimer = this.#timers.set(() => this.#stepDown(), remaining);
    if (!this.#leading) {
      this.#leading = true;
      this.#options.onStartedLeading();
    }
    return 'leading';
  }

  #stepDown(): void {
    this.#timers.clear(this.#deadlineTimer);
    this.#deadlineTimer = null;
    if (!this.#leading) return;
    this.#leading = false;
    this.#options.onStoppedLeading();
  }

  #read(): Promise<V1Lease | null> {
    const { namespace, name } = this.#options;
    return this.#caller.read(`get lease ${namespace}/${name}`, () => this.#api.readNamespacedLease({ namespace, name }));
  }

  async #create(now: number): Promise<void> {
    const { namespace, name, identity } = this.#options;
    const body: V1Lease = {
      metadata: { name, namespace },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: this.#leaseMs / 1000,
        acquireTime: new V1MicroTime(now),
        renewTime: new V1MicroTime(now),
        leaseTransitions: 0,
      },
    };
    await this.#caller.call(`create lease ${namespace}/${name}`, () => this.#api.createNamespacedLease({ namespace, body }));
  }

  async #write(lease: V1Lease): Promise<void> {
    const { namespace, name } = this.#options;
    await this.#caller.call(`update lease ${namespace}/${name}`, () => this.#api.replaceNamespacedLease({ namespace, name, body: lease }));
  }
}
