// The real kubectl against the emulator's HTTPS side (kubectl sends tokens only over TLS): as a
// ServiceAccount it is forbidden with the real messages, allowed by bindings made with kubectl
// itself, told to log in with an unknown token, and `kubectl auth can-i|whoami` and `--as` work.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminUser, startEmulator, type Emulator } from '../../../src/sandbox/emulator/index.ts';

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
if (kubectlPath === undefined) console.error('\n*** kubectl NOT FOUND: the kubectl RBAC suite is SKIPPED ***\n');
const controller = 'system:serviceaccount:fledge-system:fledge-controller';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('kubectl against the emulator with authentication and RBAC', { skip: kubectlPath === undefined }, () => {
  let emulator: Emulator | undefined;
  let dir = '';

  /** kubectl with the kubeconfig `who` (admin, sa, stranger); resolves with the exit code, never rejects. */
  const kubectl = (who: string, ...args: string[]): Promise<Run> => new Promise((resolve) => {
    execFile(kubectlPath!, ['--kubeconfig', join(dir, who), '--cache-dir', join(dir, `cache-${who}`), ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
  const ok = async (who: string, ...args: string[]): Promise<string> => {
    const run = await kubectl(who, ...args);
    assert.equal(run.code, 0, `kubectl ${args.join(' ')} as ${who}: ${run.stderr}`);
    return run.stdout;
  };

  before(async () => {
    emulator = await startEmulator();
    dir = await mkdtemp(join(tmpdir(), 'fledge-rbac-kubectl-'));
    await emulator.writeKubeconfig(join(dir, 'admin'));
    await emulator.writeKubeconfig(join(dir, 'sa'), emulator.serviceAccountKubeconfig('fledge-system', 'fledge-controller', { tls: true }));
    await emulator.writeKubeconfig(join(dir, 'stranger'), emulator.kubeconfigFor(adminUser, { tls: true }).replace('fledge-emulator-token', 'made-up'));
    await ok('admin', 'create', 'namespace', 'fledge-system');
    await ok('admin', 'create', 'serviceaccount', 'fledge-controller', '-n', 'fledge-system');
    await ok('admin', 'create', 'deployment', 'shop', '--image', 'shop:1', '-n', 'default');
  });

  after(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('as the ServiceAccount without bindings, get and list are forbidden with the real server\'s messages', async () => {
    const get = await kubectl('sa', 'get', 'deployment', 'shop', '-n', 'default');
    assert.equal(get.code, 1);
    assert.equal(get.stderr.trim(), `Error from server (Forbidden): deployments.apps "shop" is forbidden: User "${controller}" cannot get resource "deployments" in API group "apps" in the namespace "default"`);
    const list = await kubectl('sa', 'get', 'configmaps', '-A');
    assert.equal(list.stderr.trim(), `Error from server (Forbidden): configmaps is forbidden: User "${controller}" cannot list resource "configmaps" in API group "" at the cluster scope`);
  });

  test('an unknown token is told to log in (401 Unauthorized)', async () => {
    const run = await kubectl('stranger', 'get', 'namespaces');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: You must be logged in to the server \(the server has asked for the client to provide credentials\)$/m);
  });

  test('a ClusterRole bound by a RoleBinding, both made with kubectl, lets the ServiceAccount read in that namespace only', async () => {
    await ok('admin', 'create', 'clusterrole', 'deployment-reader', '--verb=get,list', '--resource=deployments.apps');
    await ok('admin', 'create', 'rolebinding', 'deployment-reader', '--clusterrole=deployment-reader', '--serviceaccount=fledge-system:fledge-controller', '-n', 'default');
    assert.match(await ok('sa', 'get', 'deployment', 'shop', '-n', 'default', '-o', 'name'), /^deployment\.apps\/shop$/m);
    const elsewhere = await kubectl('sa', 'get', 'deployments', '-n', 'kube-system');
    assert.match(elsewhere.stderr, /cannot list resource "deployments" in API group "apps" in the namespace "kube-system"/);
    const wide = await ok('admin', 'get', 'rolebinding', 'deployment-reader', '-n', 'default', '-o', 'wide');
    assert.match(wide, /^deployment-reader\s+ClusterRole\/deployment-reader\s+\S+\s+fledge-system\/fledge-controller$/m);
  });

  test('kubectl auth can-i and whoami answer for the ServiceAccount', async () => {
    assert.equal((await kubectl('sa', 'auth', 'can-i', 'list', 'deployments', '-n', 'default')).stdout.trim(), 'yes');
    const no = await kubectl('sa', 'auth', 'can-i', 'delete', 'deployments', '-n', 'default');
    assert.deepEqual([no.code, no.stdout.trim()], [1, 'no']);
    const whoami = await ok('sa', 'auth', 'whoami');
    assert.match(whoami, new RegExp(`Username\\s+${controller}`));
    assert.match(whoami, /Groups\s+\[system:serviceaccounts system:serviceaccounts:fledge-system system:authenticated\]/);
    assert.match(await ok('sa', 'auth', 'can-i', '--list', '-n', 'default'), /^deployments\.apps\s+\[\]\s+\[\]\s+\[get list\]$/m);
  });

  test('the admin may act as the ServiceAccount with --as; the ServiceAccount may not impersonate anyone', async () => {
    assert.equal((await kubectl('admin', 'auth', 'can-i', 'list', 'deployments', '-n', 'kube-system', `--as=${controller}`)).stdout.trim(), 'no');
    assert.equal((await kubectl('admin', 'auth', 'can-i', 'list', 'deployments', '-n', 'default', `--as=${controller}`)).stdout.trim(), 'yes');
    const denied = await kubectl('sa', 'get', 'namespaces', '--as=jane');
    assert.match(denied.stderr, new RegExp(`users "jane" is forbidden: User "${controller}" cannot impersonate resource "users" in API group "" at the cluster scope`));
  });

  test('kubectl get prints roles by creation time and service accounts with their secrets', async () => {
    assert.match(await ok('admin', 'get', 'clusterroles'), /^NAME\s+CREATED AT\n(?:.*\n)*cluster-admin\s+\d{4}-\d\d-\d\dT/m);
    assert.match(await ok('admin', 'get', 'serviceaccounts', '-n', 'fledge-system'), /^fledge-controller\s+0\s+\d+s$/m);
  });
});
