// A Notifier that tells no one: the default when no Slack or webhook is configured, and for tests.
import type { ManagedNotifier } from './channel.ts';

export function createNoopNotifier(): ManagedNotifier {
  return {
    notify: () => undefined,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
