// deploy/krew/fledge.yaml against Krew's Plugin schema (krew.googlecontainertools.github.com/v1alpha2,
// the fields and rules of krew's pkg/index types and validation), and the release script that fills it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { fillManifest } from '../../scripts/krew-manifest.ts';
import { root } from './support.ts';

const selector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.strictObject({ key: z.enum(['os', 'arch']), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() })).optional(),
}).refine((s) => s.matchLabels !== undefined || s.matchExpressions !== undefined, 'a selector selects something');

const plugin = z.strictObject({
  apiVersion: z.literal('krew.googlecontainertools.github.com/v1alpha2'),
  kind: z.literal('Plugin'),
  metadata: z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) }),
  spec: z.strictObject({
    version: z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'semver with a v prefix'),
    homepage: z.url(),
    shortDescription: z.string().min(1).max(50),
    description: z.string().min(1),
    caveats: z.string().optional(),
    platforms: z.array(z.strictObject({
      selector,
      uri: z.url(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      files: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1) })).optional(),
      bin: z.string().min(1),
    })).min(1),
  }),
});

const text = readFileSync(join(root, 'deploy/krew/fledge.yaml'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

void describe('the Krew plugin manifest', () => {
  void it('is a valid Krew Plugin named like its file, for the package\'s version', () => {
    const manifest = plugin.parse(parse(text));
    assert.equal(manifest.metadata.name, 'fledge');
    assert.equal(manifest.spec.version, `v${pkg.version}`);
  });

  void it('installs the npm pack layout (package/…) and runs the package\'s kubectl-fledge bin', () => {
    const manifest = plugin.parse(parse(text));
    for (const platform of manifest.spec.platforms) {
      assert.deepEqual(platform.files, [{ from: 'package/*', to: '.' }]);
      assert.equal(platform.bin, pkg.bin['kubectl-fledge']);
      assert.ok(existsSync(join(root, platform.bin)));
      assert.match(platform.uri, new RegExp(`/v${pkg.version.replaceAll('.', '\\.')}/fledge-${pkg.version.replaceAll('.', '\\.')}-krew\\.tgz$`));
    }
  });

  void it('is filled for a release by scripts/krew-manifest.ts, comments kept', () => {
    const sha256 = 'ab'.repeat(32);
    const filled = fillManifest(text, { version: '1.2.3', uri: 'https://example.com/fledge-1.2.3-krew.tgz', sha256 });
    const manifest = plugin.parse(parse(filled));
    assert.equal(manifest.spec.version, 'v1.2.3');
    assert.deepEqual(manifest.spec.platforms.map((p) => [p.uri, p.sha256]), [['https://example.com/fledge-1.2.3-krew.tgz', sha256]]);
    assert.match(filled, /^# Krew plugin manifest/);
  });
});
