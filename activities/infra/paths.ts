/**
 * The filesystem half of the dangerous-path rules (domain/paths.ts): a path
 * that looks fine but resolves, through a symlink, to the root, the home
 * directory or the data dir is refused too.
 */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dangerousPathReason, type PathRoots } from '../../domain/paths';

export async function unsafePathReason(p: string, roots: PathRoots = {}): Promise<string | null> {
  const all = { home: homedir(), ...roots };
  const why = dangerousPathReason(p, all);
  if (why) return why;
  const real = await realpath(p).catch(() => null);
  if (real && real !== p) {
    const via = dangerousPathReason(real, {
      ...all,
      ...(all.dataDir ? { dataDir: await realpath(all.dataDir).catch(() => all.dataDir) } : {}),
    });
    if (via)
      return `resolves (through a symlink) to ${real}, which ${via.replace(/^must/, 'must')}`;
  }
  return null;
}
