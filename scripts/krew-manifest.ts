// Fills deploy/krew/fledge.yaml for a release: spec.version from package.json, and the uri and
// sha256 of the release archive. Run: npx tsx scripts/krew-manifest.ts ARCHIVE URL
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';

export interface KrewRelease {
  /** package.json's version, without the `v` Krew requires. */
  readonly version: string;
  readonly uri: string;
  readonly sha256: string;
}

/** The manifest text with every platform pointing at the release; comments are kept. */
export function fillManifest(text: string, release: KrewRelease): string {
  const doc = parseDocument(text);
  doc.setIn(['spec', 'version'], `v${release.version}`);
  const platforms = doc.getIn(['spec', 'platforms']) as { items: unknown[] };
  for (let i = 0; i < platforms.items.length; i += 1) {
    doc.setIn(['spec', 'platforms', i, 'uri'], release.uri);
    doc.setIn(['spec', 'platforms', i, 'sha256'], release.sha256);
  }
  return doc.toString({ lineWidth: 0 });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [archive, uri] = process.argv.slice(2);
  if (archive === undefined || uri === undefined) {
    console.error('usage: npx tsx scripts/krew-manifest.ts ARCHIVE URL');
    process.exit(4);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const target = join(root, 'deploy', 'krew', 'fledge.yaml');
  writeFileSync(target, fillManifest(readFileSync(target, 'utf8'), { version, uri, sha256 }));
  console.log(`wrote ${target}: v${version} ${uri} ${sha256}`);
}
