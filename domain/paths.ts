/**
 * Paths a user hands ratchet (a repository, the data dir) are refused when
 * they are dangerous: relative, the filesystem root, with `..` segments, the
 * home directory, or inside ratchet's own data dir. Pure (the workflow checks
 * too); the client adds the checks that need the filesystem (symlinks).
 */

export interface PathRoots {
  home?: string;
  dataDir?: string;
}

const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** Why `p` may not be used, or null when it is fine. */
export function dangerousPathReason(p: string, roots: PathRoots = {}): string | null {
  if (!p.startsWith('/')) return 'must be an absolute path';
  if (p.includes('\0')) return 'must not contain NUL';
  if (p.split('/').includes('..')) return 'must not contain ".." segments';
  const t = trim(p.replace(/\/+/g, '/'));
  if (t === '/') return 'must not be the filesystem root';
  if (roots.home && t === trim(roots.home)) return 'must not be the home directory';
  if (roots.dataDir) {
    const d = trim(roots.dataDir);
    if (t === d || t.startsWith(`${d}/`)) return "must not be inside ratchet's data dir";
  }
  return null;
}
