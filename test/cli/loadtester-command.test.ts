import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLoadTesterCommand } from '../../src/cli/loadtester-command.ts';
import type { CliIo } from '../../src/cli/io.ts';

function io(env: Record<string, string> = {}): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), env, isTty: false };
}

describe('fledge loadtester', () => {
  const command = createLoadTesterCommand({ untilStopped: async () => 'SIGTERM' });
  it('refuses to start without --allow (it would be an open relay), with exit 4', async () => {
    const out = io();
    assert.equal(await command.run(['--addr', '127.0.0.1:0'], out), 4);
    assert.match(out.lines.join('\n'), /--allow is required/);
  });
  it('refuses bad flags with exit 4', async () => {
    for (const args of [['--allow', 'ftp://x/'], ['--allow', 'http://a/', '--addr', 'nope'], ['--bogus']]) {
      assert.equal(await command.run(args, io()), 4, args.join(' '));
    }
  });
  it('listens, says where and for which targets, and stops on a signal', async () => {
    const out = io({ FLEDGE_LOADTESTER_ALLOW: 'http://podinfo.test.svc:9898/' });
    assert.equal(await command.run(['--addr', '127.0.0.1:0'], out), 0);
    assert.match(out.lines[0] ?? '', /listening on 127\.0\.0\.1:\d+; targets under http:\/\/podinfo\.test\.svc:9898\//);
  });
});
