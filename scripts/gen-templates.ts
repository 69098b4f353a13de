// Writes deploy/templates/builtin.yaml: analysis/*.yaml as ClusterAnalysisTemplates.
// Run: npx tsx scripts/gen-templates.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/config/catalog.ts';
import { renderBuiltinTemplates } from '../src/config/builtin-manifests.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'templates', 'builtin.yaml');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderBuiltinTemplates(await loadCatalog()));
console.log(`wrote ${target}`);
