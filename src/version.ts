// The package's version (package.json's), for `fledge --version` and fledge_build_info. The
// path holds from src/ and from dist/ alike: both sit one level below package.json.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
