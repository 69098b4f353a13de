// `npm run docs`: rewrites the annotation section of README.md (between the markers) from the
// knob table and the catalog. test/config/readme.test.ts fails when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/config/catalog.ts';
import { endMarker, renderAnnotationDocs, replaceAnnotationDocs, startMarker } from '../src/config/annotation-docs.ts';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');
const updated = replaceAnnotationDocs(readme, renderAnnotationDocs(await loadCatalog()));
if (updated === null) {
  console.error(`README.md: markers ${startMarker} … ${endMarker} not found`);
  process.exit(1);
}
if (updated === readme) {
  console.log('README.md: annotation section already up to date');
} else {
  writeFileSync(readmePath, updated);
  console.log('README.md: annotation section updated');
}
