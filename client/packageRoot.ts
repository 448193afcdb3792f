/**
 * The package's root folder, found from this file whether it runs from source
 * (client/) or compiled (dist/client/): bundled assets (examples, package.json)
 * live beside the sources, never inside dist.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export function packageRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export function packageVersion(): string {
  return (require(path.join(packageRoot(), 'package.json')) as { version: string }).version;
}
