/** Which paths a candidate may touch: globs over workspace-relative paths. */
import type { EditScope } from './config';

/** `**` crosses directories, `*` and `?` stay within one path segment. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` matches the rest.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function matchesAny(file: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(file) || globToRegExp(`${p}/**`).test(file));
}

export interface ScopeViolation {
  path: string;
  reason: 'forbidden' | 'not_allowed' | 'outside_workspace';
}

/** The paths of a candidate that its module's edit scope refuses. */
export function scopeViolations(paths: readonly string[], scope: EditScope): ScopeViolation[] {
  const out: ScopeViolation[] = [];
  for (const p of paths) {
    if (p.startsWith('/') || p.split('/').includes('..'))
      out.push({ path: p, reason: 'outside_workspace' });
    else if (matchesAny(p, scope.forbidden)) out.push({ path: p, reason: 'forbidden' });
    else if (scope.allowed && !matchesAny(p, scope.allowed))
      out.push({ path: p, reason: 'not_allowed' });
  }
  return out;
}
