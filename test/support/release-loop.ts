// Apps released one revision after another, as the crash and chaos tests drive them: each app is
// created annotated, waits to bootstrap, then goes through seeded good and bad releases (a bad
// image tag ends in `-bad`), each awaited to its own outcome.
import { AppsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { seeded } from './sim.ts';
import { until } from './until.ts';

export const terminal = (phase: unknown): boolean => phase === 'Succeeded' || phase === 'Failed';

export interface Outcome { app: string; release: number; bad: boolean; phase: string; message: string }

export interface ReleaseLoop {
  /** The apps' annotations (fledge.dev/canary and the knobs). */
  readonly annotations: Readonly<Record<string, string>>;
  readonly releases: number;
  /** Share of bad releases, drawn from `seed + 1 + index` per app. */
  readonly badShare: number;
  readonly seed: number;
  /** Longest wait for one release's outcome. */
  readonly releaseSeconds: number;
}

/** Sets the first container's image, re-reading on 409. */
export async function setImage(kc: KubeConfig, name: string, image: string): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await apps.readNamespacedDeployment({ namespace: 'default', name });
    current.spec!.template.spec!.containers[0]!.image = image;
    try {
      await apps.replaceNamespacedDeployment({ namespace: 'default', name, body: current });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  throw new Error(`could not update ${name}: conflicts`);
}

/** The Canary `name`'s status in `default` (empty before it has one). */
export async function canaryStatus(kc: KubeConfig, name: string): Promise<Record<string, any>> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const canary = (await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name })) as { status?: Record<string, any> };
  return canary.status ?? {};
}

/** App `app-<index>`: created, bootstrapped, then `loop.releases` releases, each awaited to its outcome. */
export async function runApp(kc: KubeConfig, index: number, loop: ReleaseLoop): Promise<Outcome[]> {
  const name = `app-${index}`;
  const random = seeded(loop.seed + 1 + index);
  const status = (): Promise<Record<string, any>> => canaryStatus(kc, name);
  const labels = { app: name };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name, annotations: { ...loop.annotations } },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: `${name}:0` }] } } },
    },
  });
  await until(`${name} to bootstrap`, status, (s) => s['phase'] === 'Ready', 120);
  const outcomes: Outcome[] = [];
  for (let release = 1; release <= loop.releases; release += 1) {
    const bad = random.uniform() < loop.badShare;
    const before = (await status())['revision'];
    await setImage(kc, name, `${name}:${release}${bad ? '-bad' : ''}`);
    const done = await until(`${name} release ${release}`, status, (s) => s['revision'] !== before && terminal(s['phase']), loop.releaseSeconds);
    outcomes.push({ app: name, release, bad, phase: String(done['phase']), message: String(done['message']) });
  }
  return outcomes;
}
