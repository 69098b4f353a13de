// deploy/components/loadtester rendered by the real `kubectl kustomize` on top of deploy/.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { find, kubectlPath, render, root, selects } from './support.ts';

const skip = kubectlPath === undefined;

describe('kubectl kustomize with components/loadtester', { skip }, () => {
  const dir = mkdtempSync(join(root, '.loadtester-kustomize-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('adds a hardened fledge loadtester Deployment and its Service next to the controller', async () => {
    const deploy = relative(dir, join(root, 'deploy'));
    writeFileSync(join(dir, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `resources: [${deploy}]`, `components: [${deploy}/components/loadtester]`, '',
    ].join('\n'));
    const objects = await render(relative(root, dir));
    const deployment = find(objects, 'Deployment', 'fledge-loadtester');
    const service = find(objects, 'Service', 'fledge-loadtester');
    assert.equal(deployment.metadata.namespace, 'fledge-system');
    const container = deployment['spec'].template.spec.containers[0];
    assert.deepEqual(container.args.slice(0, 1), ['loadtester']);
    assert.ok(container.env.some((e: { name: string; value: string }) => e.name === 'FLEDGE_LOADTESTER_ALLOW' && e.value !== ''), 'an allow-list is set');
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal(deployment['spec'].template.spec.automountServiceAccountToken, false, 'it needs no API access');
    assert.ok(selects(service['spec'].selector, deployment['spec'].template.metadata.labels));
    find(objects, 'Deployment', 'fledge-controller');
  });
});
