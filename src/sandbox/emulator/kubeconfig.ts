// A kubeconfig for the emulator. `insecure-skip-tls-verify: true` is set although the server is
// plain HTTP: @kubernetes/client-node refuses http:// clusters without it; kubectl ignores it.
import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, context = 'fledge-emulator'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fledge-emulator', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fledge-emulator', user: { token: 'fledge-emulator-token' } }],
    contexts: [{ name: context, context: { cluster: 'fledge-emulator', user: 'fledge-emulator', namespace: 'default' } }],
    'current-context': context,
    preferences: {},
  });
}
