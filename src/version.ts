// The package's version (package.json's), for `fledge --version` and fledge_build_info.
import { readFileSync } from 'node:fs';
import { packagePath } from './package-root.ts';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
