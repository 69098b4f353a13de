/** Bundles `entry` into `outdir` (emptied first), as the shipped dist/ is built (scripts/build.mjs). */
export function bundle(entry: string, outdir: string): Promise<void>;
