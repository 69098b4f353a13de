// Starts a Kubernetes API emulator for one test and gives a KubeConfig for it; stopped in t.after.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/emulator/index.ts';

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
