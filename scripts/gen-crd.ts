// Writes deploy/crds/canary.yaml from the Canary zod schemas. Run: npx tsx scripts/gen-crd.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCanaryCrd } from '../src/adapters/kube/canary-crd.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'crds', 'canary.yaml');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderCanaryCrd());
console.log(`wrote ${target}`);
