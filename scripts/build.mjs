// `npm run build`: bundles the CLI into dist/ with esbuild. One bundle, not a file per module:
// each command loads only the code it runs (split into chunks at the CLI's lazy imports), and
// of @kubernetes/client-node only the API groups Fledge calls — its full generated client is
// about 30 MB of JavaScript that a process otherwise parses and keeps (the controller's resident
// memory fell by about 50 MiB). Names are kept (readable stack traces) and source maps written
// (used with `node --enable-source-maps`). Every chunk sits directly in the output directory, one
// level below the package root, where src/package-root.ts expects it.
//
//   node scripts/build.mjs [--entry src/main.ts] [--outdir dist]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles `entry` into `outdir` (emptied first), as the shipped dist/ is built. */
export async function bundle(entry, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    // CommonJS dependencies inside an ES module bundle call require().
    banner: { js: "import { createRequire as __fledgeCreateRequire } from 'node:module'; const require = __fledgeCreateRequire(import.meta.url);" },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { entry: { type: 'string', default: 'src/main.ts' }, outdir: { type: 'string', default: 'dist' } } });
  await bundle(values.entry, values.outdir);
}
