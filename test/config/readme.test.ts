import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { endMarker, renderAnnotationDocs, replaceAnnotationDocs, startMarker } from '../../src/config/annotation-docs.ts';
import { loadCatalog } from '../../src/config/catalog.ts';
import { knobNames, knobs } from '../../src/config/knobs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README annotation section is what `npm run docs` writes from the knob table and the catalog', async () => {
  const expected = replaceAnnotationDocs(readme, renderAnnotationDocs(await loadCatalog()));
  assert.ok(expected !== null, `README.md lacks ${startMarker} … ${endMarker}`);
  assert.ok(expected === readme, 'README.md annotation section is out of date: run `npm run docs` and commit README.md');
});

test('the annotation table lists every knob with its default and what is allowed', async () => {
  const docs = renderAnnotationDocs(await loadCatalog());
  for (const name of knobNames) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`fledge.dev/${name}\` |`));
    assert.ok(row !== undefined, name);
    assert.ok(row.includes(knobs[name].defaultText.replace(/\*/g, '\\*')), `${name} default`);
  }
  assert.match(docs, /\| `fledge\.dev\/window` \| none \(any time\) \| a 5-field cron expression .*such as \\\* 9-16 \\\* \\\* 1-5 \|/);
});

test('replacing the section keeps everything outside the markers', () => {
  const text = `before\n${startMarker}\nold\n${endMarker}\nafter\n`;
  assert.equal(replaceAnnotationDocs(text, 'new'), `before\n${startMarker}\nnew\n${endMarker}\nafter\n`);
  assert.equal(replaceAnnotationDocs('no markers', 'new'), null);
});
