import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes, FledgeError } from '../src/errors.ts';

function readmeCodes(): Map<string, string> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `FLEDGE_'));
  return new Map(rows.map((row) => {
    const cells = row.split('|').map((cell) => cell.trim());
    return [cells[1]!.replaceAll('`', ''), cells[2]!];
  }));
}

it('the README lists every error code with its retryable flag, and no other', () => {
  const listed = readmeCodes();
  assert.deepEqual([...listed.keys()].sort(), Object.keys(errorCodes).sort());
  for (const [code, retryable] of listed) {
    assert.equal(retryable, errorCodes[code as keyof typeof errorCodes].retryable ? 'yes' : 'no', code);
  }
});

it('a FledgeError carries its code and whether a retry can help', () => {
  const error = new FledgeError('FLEDGE_API_CONFLICT', 'stale');
  assert.equal(error.code, 'FLEDGE_API_CONFLICT');
  assert.equal(error.retryable, true);
  assert.equal(new FledgeError('FLEDGE_CONFIG_INVALID', 'bad').retryable, false);
});
