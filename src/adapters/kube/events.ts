// Kubernetes Events (core/v1) about a Canary, de-duplicated like `kubectl describe` expects:
// a repeat of the same reason and message on the same object bumps `count` and `lastTimestamp`
// of one Event instead of creating another.
import { createHash } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { Clock, EventRecord } from '../../ports.ts';
import { FledgeError } from '../../errors.ts';
import type { ApiCaller } from './errors.ts';
import { jsonRequests, mergePatchType, resourcePath } from './json-requests.ts';

export type { EventRecord, InvolvedObject } from '../../ports.ts';

export const eventComponent = 'fledge';
/** The API server rejects longer messages. */
const maxMessage = 1024;

/** One Event name per (object, type, reason, message), so a repeat finds its predecessor by name. */
export function eventName(record: EventRecord): string {
  const { metadata } = record.canary;
  const hash = createHash('sha256')
    .update([metadata.uid ?? '', metadata.name ?? '', record.severity, record.reason, record.message].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  return `${(metadata.name ?? 'object').slice(0, 200)}.${hash}`;
}

/** The Event to create for `record` (a first occurrence: count 1). */
export function buildEvent(record: EventRecord, now: Date): CoreV1Event {
  const { metadata } = record.canary;
  const namespace = metadata.namespace ?? 'default';
  return {
    metadata: { name: eventName(record), namespace },
    involvedObject: {
      apiVersion: record.canary.apiVersion,
      kind: record.canary.kind,
      name: metadata.name ?? '',
      namespace,
      ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
    },
    reason: record.reason,
    message: record.message.slice(0, maxMessage),
    type: record.severity,
    source: { component: eventComponent },
    reportingComponent: eventComponent,
    reportingInstance: eventComponent,
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
  };
}

export interface EventRecorder {
  /** Creates the Event or bumps the count of its repeat. Throws FledgeError on API failure. */
  readonly record: (record: EventRecord) => Promise<void>;
}

export function createEventRecorder(kc: KubeConfig, caller: ApiCaller, clock: Clock): EventRecorder {
  const api = kc.makeApiClient(CoreV1Api);
  // Creates and bumps are plain JSON requests (json-requests.ts): at thousands of apps entering a step, Events are a third of the writes.
  const requests = jsonRequests(kc);
  const path = (namespace: string, name?: string): string => resourcePath({ group: '', version: 'v1', plural: 'events', namespace, name });

  const bump = async (namespace: string, name: string, count: number, now: Date): Promise<void> => {
    const body = { count: count + 1, lastTimestamp: now.toISOString() };
    await caller.call(`update event ${namespace}/${name}`, () => requests.send('PATCH', path(namespace, name), body, mergePatchType));
  };

  const create = async (event: CoreV1Event): Promise<boolean> => {
    const namespace = event.metadata.namespace ?? 'default';
    try {
      await caller.call(`create event ${namespace}/${event.metadata.name ?? ''}`, () => requests.send('POST', path(namespace), { apiVersion: 'v1', kind: 'Event', ...event }));
      return true;
    } catch (error) {
      // It exists (a repeat, or another replica was first): bump it instead.
      if (error instanceof FledgeError && error.code === 'FLEDGE_API_CONFLICT') return false;
      throw error;
    }
  };

  return {
    record: async (record) => {
      const now = new Date(record.at ?? clock.now());
      const event = buildEvent(record, now);
      const namespace = event.metadata.namespace ?? 'default';
      const name = event.metadata.name ?? '';
      // Most Events are new: create first (one request), read and bump only a repeat.
      if (await create(event)) return;
      const existing = await caller.call(`get event ${namespace}/${name}`, () => api.readNamespacedEvent({ namespace, name }));
      await bump(namespace, name, existing.count ?? 1, now);
    },
  };
}
