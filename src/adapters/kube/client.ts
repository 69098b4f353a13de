// Builds the KubeConfig the controller and CLI talk through: an explicit --kubeconfig, else
// $KUBECONFIG, else in-cluster service account, else ~/.kube/config.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { FledgeError } from '../../errors.ts';

export interface KubeConfigSource {
  /** `--kubeconfig` flag; wins over everything else. */
  readonly kubeconfig?: string | undefined;
  /** Optional context to switch to (`--context`). */
  readonly context?: string | undefined;
  /** The process environment (only main.ts reads process.env; it passes it here). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Where the configuration comes from, for logs and error messages. */
export type KubeConfigOrigin = 'flag' | 'env' | 'in-cluster' | 'home';

function firstPath(list: string | undefined): string | null {
  const first = (list ?? '').split(':').find((part) => part.trim() !== '');
  return first === undefined ? null : first;
}

function locate(source: KubeConfigSource): { origin: KubeConfigOrigin; path: string | null } | null {
  if (source.kubeconfig !== undefined && source.kubeconfig !== '') return { origin: 'flag', path: source.kubeconfig };
  const fromEnv = firstPath(source.env['KUBECONFIG']);
  if (fromEnv !== null) return { origin: 'env', path: fromEnv };
  if ((source.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') return { origin: 'in-cluster', path: null };
  const home = source.env['HOME'] ?? source.env['USERPROFILE'];
  const homeConfig = home === undefined ? null : join(home, '.kube', 'config');
  return homeConfig !== null && existsSync(homeConfig) ? { origin: 'home', path: homeConfig } : null;
}

/**
 * Plain-http servers (the sandbox emulator, `kubectl proxy`) need skipTLSVerify set, or the
 * client insists on TLS options; it is harmless there because nothing is verified over http.
 */
export function allowPlainHttp(kc: KubeConfig): void {
  const clusters = kc.clusters.map((cluster) =>
    cluster.server.startsWith('http://') ? { ...cluster, skipTLSVerify: true } : cluster,
  );
  kc.loadFromOptions({ clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
}

/** Loads the configuration; throws FLEDGE_USAGE when none can be found or read. */
export function loadKubeConfig(source: KubeConfigSource): { kc: KubeConfig; origin: KubeConfigOrigin } {
  const found = locate(source);
  if (found === null) {
    throw new FledgeError('FLEDGE_USAGE', 'no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  }
  const kc = new KubeConfig();
  try {
    if (found.path === null) kc.loadFromCluster();
    else kc.loadFromFile(found.path);
    if (source.context !== undefined && source.context !== '') kc.setCurrentContext(source.context);
  } catch (error) {
    const where = found.path ?? 'the in-cluster service account';
    throw new FledgeError('FLEDGE_USAGE', `cannot load Kubernetes configuration from ${where}: ${String(error)}`, { cause: error });
  }
  if (kc.getCurrentCluster() === null) {
    throw new FledgeError('FLEDGE_USAGE', `Kubernetes configuration from ${found.path ?? 'the cluster'} has no current cluster`);
  }
  allowPlainHttp(kc);
  return { kc, origin: found.origin };
}

/** The namespace of the current context ("default" when unset). */
export function currentNamespace(kc: KubeConfig): string {
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.namespace ?? 'default';
}
