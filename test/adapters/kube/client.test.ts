import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentNamespace, loadKubeConfig } from '../../../src/adapters/kube/client.ts';

function kubeconfig(server: string, namespace?: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    'clusters:', '- name: k', '  cluster:', `    server: ${server}`,
    'users:', '- name: u', '  user:', '    token: t',
    'contexts:', '- name: c', '  context:', '    cluster: k', '    user: u', ...(namespace === undefined ? [] : [`    namespace: ${namespace}`]),
  ].join('\n');
}

function files(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, server: string, namespace?: string) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, kubeconfig(server, namespace));
    return path;
  };
  return { dir, write };
}

void describe('finding the Kubernetes configuration', () => {
  void it('prefers --kubeconfig over KUBECONFIG and the home directory', (t) => {
    const { dir, write } = files(t);
    const flag = write('flag', 'https://flag.example:6443');
    const env = write('env', 'https://env.example:6443');
    write('.kube/config', 'https://home.example:6443');
    const { kc, origin } = loadKubeConfig({ kubeconfig: flag, env: { KUBECONFIG: env, HOME: dir } });
    assert.equal(origin, 'flag');
    assert.equal(kc.getCurrentCluster()?.server, 'https://flag.example:6443');
  });

  void it('uses the first file of KUBECONFIG, then ~/.kube/config', (t) => {
    const { dir, write } = files(t);
    const env = write('env', 'https://env.example:6443');
    write('.kube/config', 'https://home.example:6443');
    assert.equal(loadKubeConfig({ env: { KUBECONFIG: `${env}:/nope`, HOME: dir } }).kc.getCurrentCluster()?.server, 'https://env.example:6443');
    const home = loadKubeConfig({ env: { HOME: dir } });
    assert.equal(home.origin, 'home');
    assert.equal(home.kc.getCurrentCluster()?.server, 'https://home.example:6443');
  });

  void it('sets skipTLSVerify for a plain-http server only', (t) => {
    const { write } = files(t);
    const plain = loadKubeConfig({ kubeconfig: write('plain', 'http://127.0.0.1:8001', 'shop'), env: {} }).kc;
    assert.equal(plain.getCurrentCluster()?.skipTLSVerify, true);
    assert.equal(currentNamespace(plain), 'shop');
    const tls = loadKubeConfig({ kubeconfig: write('tls', 'https://api.example:6443'), env: {} }).kc;
    assert.equal(tls.getCurrentCluster()?.skipTLSVerify, false);
    assert.equal(currentNamespace(tls), 'default');
  });

  void it('says how to fix it when there is no configuration at all', () => {
    assert.throws(() => loadKubeConfig({ env: { HOME: '/nonexistent' } }), { code: 'FLEDGE_USAGE', message: /--kubeconfig/ });
    assert.throws(() => loadKubeConfig({ kubeconfig: '/nonexistent/kubeconfig', env: {} }), { code: 'FLEDGE_USAGE' });
  });

  void it('refuses a context that does not exist', (t) => {
    const { write } = files(t);
    assert.throws(() => loadKubeConfig({ kubeconfig: write('c', 'https://a.example'), context: 'missing', env: {} }), { code: 'FLEDGE_USAGE' });
  });
});
