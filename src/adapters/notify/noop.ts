// A Notifier that tells no one: the default when no Slack or webhook is configured, and for tests.
import type { ManagedNotifier } from './channel.ts';

export function createNoopNotifier(): ManagedNotifier {
  return {
    // Nothing to send is delivered: outbox entries leave at the next reconcile.
    deliver: (_entry, onDone) => queueMicrotask(() => onDone('delivered')),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
