// Kubeconfigs for the emulator. Over HTTPS the emulator's self-signed certificate is the
// certificate authority. Over plain HTTP `insecure-skip-tls-verify: true` is set although nothing
// is verified: @kubernetes/client-node refuses http:// clusters without it. kubectl sends tokens
// only over HTTPS, so kubeconfigs meant for kubectl use the HTTPS URL.
import { stringify } from 'yaml';
import { adminToken } from './authn.ts';

/** Who the kubeconfig authenticates as: the kubeconfig user entry's name, its token, the context's namespace. */
export interface KubeconfigCredentials {
  readonly user: string;
  readonly token: string;
  readonly namespace: string;
}

/** Where the server is; `certificate` (PEM) is required for an https:// server. */
export interface KubeconfigServer {
  readonly server: string;
  readonly certificate?: string;
}

const admin: KubeconfigCredentials = { user: 'fledge-emulator', token: adminToken, namespace: 'default' };

function cluster(target: KubeconfigServer): Record<string, unknown> {
  if (!target.server.startsWith('https:') || target.certificate === undefined) return { server: target.server, 'insecure-skip-tls-verify': true };
  return { server: target.server, 'certificate-authority-data': Buffer.from(target.certificate).toString('base64') };
}

export function kubeconfigYaml(target: KubeconfigServer, context = 'fledge-emulator', credentials: KubeconfigCredentials = admin): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fledge-emulator', cluster: cluster(target) }],
    users: [{ name: credentials.user, user: { token: credentials.token } }],
    contexts: [{ name: context, context: { cluster: 'fledge-emulator', user: credentials.user, namespace: credentials.namespace } }],
    'current-context': context,
    preferences: {},
  });
}
