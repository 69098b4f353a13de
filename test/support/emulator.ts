// Starts a Kubernetes API emulator for one test and gives a KubeConfig for it; stopped in t.after.
import type { ChildProcess } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { adminToken, startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/emulator/index.ts';

/** Headers that authenticate a plain fetch as the emulator's cluster admin (others get 401). */
export const adminHeaders: Readonly<Record<string, string>> = { Authorization: `Bearer ${adminToken}` };

export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly kubeConfig: KubeConfig;
}

export async function withEmulator(t: { after(fn: () => unknown): void }, options?: EmulatorOptions): Promise<EmulatorFixture> {
  const emulator = await startEmulator(options);
  t.after(() => emulator.stop());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfig());
  return { emulator, kubeConfig };
}

/** Resolves with the URL a `fledge emulator` child prints on stdout (bounded); `output` collects what it printed. */
export function waitForEmulatorUrl(child: ChildProcess, output: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${output.join('')}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${output.join('')}`));
    });
  });
}
