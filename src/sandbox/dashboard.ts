// The sandbox serves `fledge dashboard` for its namespace too, on a free loopback port, so the
// release can be watched in a browser while it runs (and after, with --keep).
import type { KubeConfig } from '@kubernetes/client-node';
import { ReleaseFeed } from '../dashboard/feed.ts';
import { createReleaseReader } from '../dashboard/release-reader.ts';
import { startDashboard } from '../dashboard/server.ts';

export interface SandboxDashboard {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

export async function startSandboxDashboard(kc: KubeConfig, namespace: string): Promise<SandboxDashboard> {
  const feed = new ReleaseFeed({ kc, namespace });
  await feed.start();
  const dashboard = await startDashboard({ feed, reader: createReleaseReader(kc), scope: `namespace ${namespace}`, address: '127.0.0.1', port: 0 });
  return {
    url: dashboard.url,
    stop: async () => {
      await dashboard.close();
      await feed.stop();
    },
  };
}
