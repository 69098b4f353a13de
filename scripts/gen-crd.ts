// Writes deploy/crds/canary.yaml, analysistemplates.yaml and clusteranalysistemplates.yaml from
// the zod schemas. Run: npx tsx scripts/gen-crd.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCanaryCrd } from '../src/adapters/kube/canary-crd.ts';
import { renderTemplateCrd } from '../src/adapters/kube/template-crd.ts';
import { templateKinds, templatePlurals } from '../src/ports/template-schema.ts';

const crds = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'crds');
mkdirSync(crds, { recursive: true });
const files: Array<[string, string]> = [
  ['canary.yaml', renderCanaryCrd()],
  ...templateKinds.map((kind): [string, string] => [`${templatePlurals[kind]}.yaml`, renderTemplateCrd(kind)]),
];
for (const [name, text] of files) {
  writeFileSync(join(crds, name), text);
  console.log(`wrote ${join(crds, name)}`);
}
