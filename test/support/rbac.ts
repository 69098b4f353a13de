// The controller's identity in tests: deploy/ rendered by the real `kubectl kustomize` (once per
// process), its ServiceAccount, roles and bindings applied to an emulator as the admin, and a
// KubeConfig that authenticates as system:serviceaccount:fledge-system:fledge-controller — so the
// controller under test has exactly the permissions deploy/ grants it, no more.
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import type { Emulator } from '../../src/sandbox/emulator/index.ts';
import { kubectlPath, render, type K8sObject } from '../deploy/support.ts';

/** Where deploy/ runs the controller; its leader Lease may live only here (a Role). */
export const controllerNamespace = 'fledge-system';
export const controllerAccount = 'fledge-controller';
export const controllerUser = `system:serviceaccount:${controllerNamespace}:${controllerAccount}`;

const rbacKinds = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
let rendered: Promise<K8sObject[]> | undefined;

/** The ServiceAccount and RBAC objects of `kubectl kustomize deploy/`, rendered once per process. */
export function controllerRbac(): Promise<K8sObject[]> {
  if (kubectlPath === undefined) return Promise.reject(new Error('kubectl is needed to render deploy/ for the controller\'s RBAC'));
  rendered ??= render('deploy').then((objects) => objects.filter((o) => rbacKinds.has(o.kind)));
  return rendered;
}

async function ensureNamespace(api: KubernetesObjectApi): Promise<void> {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: controllerNamespace } };
  await api.create(namespace).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });
}

/** Creates fledge-system (unless it exists) and deploy/'s ServiceAccount, roles and bindings, as `admin`. */
export async function installControllerRbac(admin: KubeConfig): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  await ensureNamespace(api);
  for (const object of await controllerRbac()) await api.create(object as KubernetesObject);
}

/** The controller's kubeconfig YAML (plain HTTP, for client-node), once its RBAC is installed. */
export async function controllerKubeconfig(emulator: Emulator, admin: KubeConfig): Promise<string> {
  await installControllerRbac(admin);
  return emulator.serviceAccountKubeconfig(controllerNamespace, controllerAccount);
}

/** A KubeConfig for the controller's ServiceAccount, with deploy/'s RBAC installed by `admin`. */
export async function controllerKubeConfig(emulator: Emulator, admin: KubeConfig): Promise<KubeConfig> {
  const kc = new KubeConfig();
  kc.loadFromString(await controllerKubeconfig(emulator, admin));
  return kc;
}
