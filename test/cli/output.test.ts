// What kubectl users expect of the CLI: -o json|yaml|name|wide, --version (and -v refused),
// shell completion.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { parseCanary } from '../../src/adapters/kube/canary-resource.ts';
import { entryOf } from '../../src/cli/completion.ts';
import { runCli } from '../../src/cli/main.ts';
import { parseOutput } from '../../src/cli/output.ts';
import { statusObjects, statusTable } from '../../src/cli/status-command.ts';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createApp, kubeconfigFile, runFledge, writeStatus } from './support/child.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, isTty: false } };
}

const canaries = [
  parseCanary({
    apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', managedFields: [{ manager: 'fledge' }] },
    spec: { steps: [10, 50], strategy: 'gentle', analysis: 'linkerd', judge: { kind: 'sequential' } },
    status: { phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 10, lastFailedRevision: 'aaaaaaaaaa', message: 'no harm seen' },
  }),
  parseCanary({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'api', namespace: 'shop' }, spec: {} }),
];

void describe('fledge status output formats', () => {
  void it('-o json is a kubectl List of whole Canary objects, sorted, without managedFields', () => {
    const list = JSON.parse(statusObjects(canaries, 'json', false).join('\n')) as { apiVersion: string; kind: string; items: Array<Record<string, any>> };
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => `${i['apiVersion']} ${i['kind']} ${i['metadata'].namespace}/${i['metadata'].name}`), ['fledge.dev/v1alpha1 Canary shop/api', 'fledge.dev/v1alpha1 Canary shop/web']);
    assert.equal(list.items[1]!['metadata'].managedFields, undefined);
    assert.equal(list.items[1]!['status'].canaryWeight, 10);
    assert.equal(list.items[1]!['statusInvalid'], undefined);
  });

  void it('-o yaml parses back to the same List as -o json', () => {
    assert.deepEqual(parse(statusObjects(canaries, 'yaml', false).join('\n')), JSON.parse(statusObjects(canaries, 'json', false).join('\n')));
  });

  void it('one named Canary prints as the object itself, as kubectl get NAME does', () => {
    const one = JSON.parse(statusObjects([canaries[0]!], 'json', true).join('\n')) as Record<string, any>;
    assert.equal(one['kind'], 'Canary');
    assert.equal(one['metadata'].name, 'web');
  });

  void it('-o name prints one canary.fledge.dev/NAME line per Canary', () => {
    assert.deepEqual(statusObjects(canaries, 'name', false), ['canary.fledge.dev/api', 'canary.fledge.dev/web']);
  });

  void it('-o wide adds the last failed revision, strategy, analysis and judge before the message', () => {
    const [header, , web] = statusTable(canaries, { withNamespace: false, wide: true });
    assert.match(header ?? '', /PAUSED\s+FAILED\s+STRATEGY\s+ANALYSIS\s+JUDGE\s+MESSAGE$/);
    assert.match(web ?? '', /^web\s+Progressing\s+10%\s+1\/2\s+bbbbbbbbbb\s+-\s+-\s+aaaaaaaaaa\s+gentle\s+linkerd\s+sequential\s+no harm seen$/);
    assert.doesNotMatch(statusTable(canaries, { withNamespace: false, wide: false })[0] ?? '', /STRATEGY/);
  });

  void it('-o wide names where a cluster-defined analysis came from and its generation', () => {
    const pinned = parseCanary({
      apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'cart', namespace: 'shop' },
      spec: { analysis: 'spring', judge: { kind: 'sequential' } },
      status: { analysis: { source: { kind: 'AnalysisTemplate', namespace: 'shop', name: 'spring', generation: 2 }, digest: 'd', run: '', spec: {} } },
    });
    const [, cart] = statusTable([pinned], { withNamespace: false, wide: true });
    assert.match(cart ?? '', /\sspring \(AnalysisTemplate, gen 2\)\s+sequential/);
  });
});

void describe('flags kubectl users know', () => {
  void it('refuses an unknown -o value, naming the allowed ones, with exit 4', async () => {
    for (const [command, allowed] of [['status', 'text, wide, json, yaml, name'], ['wait', 'text, json, yaml']] as const) {
      const { io: cliIo, err } = io();
      const args = command === 'wait' ? ['wait', 'deployment/app', '-o', 'xml'] : ['status', '-o', 'xml'];
      assert.equal(await runCli(args, cliIo), 4);
      assert.equal(err.join('\n'), `fledge: --output xml: expected one of ${allowed}`);
    }
  });

  void it('reads -ojson, -o json, -o=json and --output=json alike', () => {
    for (const args of [['-ojson'], ['-o', 'json'], ['-o=json'], ['--output=json'], ['--output', 'json']]) {
      const { values } = parseArgs({ args, options: { output: { type: 'string', short: 'o' } }, strict: true });
      assert.equal(parseOutput(values.output, ['text', 'json']), 'json', args.join(' '));
    }
    assert.equal(parseOutput(undefined, ['text', 'json']), 'text');
  });

  void it('prints the version for --version, and refuses -v (kubectl\'s verbosity) pointing at --version', async () => {
    const ok = io();
    assert.equal(await runCli(['--version'], ok.io), 0);
    assert.match(ok.out.join(''), /^fledge \d+\.\d+\.\d+/);
    for (const flag of ['-v', '-v=4']) {
      const refused = io();
      assert.equal(await runCli([flag], refused.io), 4);
      assert.match(refused.err.join(''), /--version/);
      assert.deepEqual(refused.out, []);
    }
  });
});

void describe('fledge completion', () => {
  async function completionScript(shell: string): Promise<string> {
    const { io: cliIo, out } = io();
    assert.equal(await runCli(['completion', shell], cliIo), 0);
    return out.join('\n');
  }

  /**
   * What bash offers after `words` (the last word is the one being completed). `fledge` is a
   * stub that lists two Canaries and records its arguments in `argsFile`.
   */
  function complete(scriptFile: string, words: readonly string[], argsFile = '/dev/null'): string[] {
    const stub = `fledge() { echo "$*" > '${argsFile}'; printf 'canary.fledge.dev/api\\ncanary.fledge.dev/web\\n'; }`;
    const program = `${stub}; source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _fledge; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const output = execFileSync('bash', ['-c', program, 'bash', scriptFile, ...words], { encoding: 'utf8', cwd: dirname(scriptFile) });
    return output.split('\n').filter((l) => l !== '');
  }

  void it('reads flags, which take a value, their fixed values and a NAME argument from a usage line', () => {
    const entry = entryOf('status', 'fledge status [NAME] [-n NAMESPACE] [-A] [-o text|wide|json] [--revision REV|current] [--a F | --b F]');
    assert.deepEqual(entry.flags, ['--a', '--b', '--help', '--output', '--revision', '-A', '-n', '-o']);
    assert.deepEqual(entry.valueFlags, ['--a', '--b', '--output', '--revision', '-n', '-o']);
    assert.deepEqual(entry.values, { '-o': ['text', 'wide', 'json'], '--output': ['text', 'wide', 'json'], '--revision': ['current'] });
    assert.equal(entry.names, true);
    assert.equal(entryOf('validate', 'fledge validate -f FILE').names, false);
  });

  void it('prints a bash script that bash -n accepts and that completes commands, flags and -o values', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-completion-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'fledge.bash');
    writeFileSync(file, await completionScript('bash'));
    execFileSync('bash', ['-n', file]);
    assert.deepEqual(complete(file, ['fledge', 'st']), ['status']);
    assert.deepEqual(complete(file, ['fledge', 'status', '--all', '-o', '']), ['text', 'wide', 'json', 'yaml', 'name']);
    assert.deepEqual(complete(file, ['kubectl-fledge', 'wait', 'deployment/app', '--output', 'y']), ['yaml']);
    assert.deepEqual(complete(file, ['fledge', 'wait', '--until']), ['--until-paused']);
    assert.deepEqual(complete(file, ['fledge', 'completion', '']), ['bash', 'zsh']);
  });

  void it('completes Canary names from fledge status -o name, in the namespace and kubeconfig already typed', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-completion-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'fledge.bash');
    writeFileSync(file, await completionScript('bash'));
    const args = join(dir, 'args');
    assert.deepEqual(complete(file, ['fledge', 'promote', '-n', 'shop', '--kubeconfig', 'k.yaml', 'w'], args), ['web']);
    assert.equal(readFileSync(args, 'utf8').trim(), 'status -o name -n shop --kubeconfig k.yaml');
    assert.deepEqual(complete(file, ['fledge', 'status', '-A', '']), ['api', 'web']);
    assert.ok(!complete(file, ['fledge', 'wait', '--timeout', '']).includes('web'), 'a flag\'s value is not a name');
  });

  void it('prints a zsh script that zsh -n accepts, when zsh is installed', { skip: existsSync('/usr/bin/zsh') ? false : 'zsh not installed' }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-completion-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, '_fledge');
    writeFileSync(file, await completionScript('zsh'));
    execFileSync('/usr/bin/zsh', ['-n', file]);
  });

  void it('prints a zsh script registering the same commands, and refuses other shells', async () => {
    const zsh = await completionScript('zsh');
    assert.match(zsh, /^#compdef fledge kubectl-fledge$/m);
    assert.match(zsh, /status:-o\) values=\(text wide json yaml name\)/);
    const { io: cliIo, err } = io();
    assert.equal(await runCli(['completion', 'fish'], cliIo), 4);
    assert.match(err.join('\n'), /expected one of bash, zsh/);
  });
});

test('fledge status -o json|yaml|name against a cluster: the List, the same List in YAML, and names', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  await applyFiles(kubeConfig, crdFiles);
  await createApp(kubeConfig, 'app', 'app:1');
  await writeStatus(kubeConfig, 'app', { phase: 'Progressing', revision: 'bbbbbbbbbb', step: 1, canaryWeight: 50 });
  const path = kubeconfigFile(t, emulator.kubeconfig());
  const run = async (format: string): Promise<string> => {
    const child = runFledge(t, ['status', '-A', '-o', format, '--kubeconfig', path]);
    assert.equal(await child.exited, 0, child.stderr.join('\n'));
    return child.stdout.join('\n');
  };
  const json = JSON.parse(await run('json')) as { kind: string; items: Array<{ metadata: { name: string; resourceVersion: string }; status: { canaryWeight: number } }> };
  assert.equal(json.kind, 'List');
  assert.deepEqual(json.items.map((i) => [i.metadata.name, i.status.canaryWeight]), [['app', 50]]);
  assert.ok(json.items[0]!.metadata.resourceVersion !== '');
  const yaml = await run('yaml');
  assert.equal(parseAllDocuments(yaml).length, 1);
  assert.deepEqual(parse(yaml), json);
  assert.equal((await run('name')).trim(), 'canary.fledge.dev/app');
});
