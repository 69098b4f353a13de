// Where the package's own files (package.json, analysis/, strategies/, deploy/crds/) are, found
// from this module rather than the working directory. It sits one level below the package root
// in every form the code runs in: src/ (a checkout, through tsx) and dist/ (the bundle that
// `npm run build` writes, whose chunks all sit directly in dist/).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package's root directory. */
export const packageRoot: string = fileURLToPath(new URL('../', import.meta.url));

/** A path inside the package, e.g. packagePath('analysis'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot, ...parts);
}
