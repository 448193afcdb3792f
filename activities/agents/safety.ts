/** Guards on what agent and session operations (and the janitor) may touch. */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';

/** A `.session_*` directory directly or deeply inside `root`, and nothing else, may be removed. */
export function assertSessionDir(dir: string, root: string): void {
  const resolved = path.resolve(dir);
  const rel = path.relative(path.resolve(root), resolved);
  if (!path.basename(resolved).startsWith('.session_')) {
    throw ApplicationFailure.create({
      type: 'UnsafeCleanupTarget',
      message: `refusing to remove ${resolved}: only .session_* directories are session directories`,
      nonRetryable: true,
    });
  }
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw ApplicationFailure.create({
      type: 'UnsafeCleanupTarget',
      message: `refusing to remove ${resolved}: it is outside the sessions root ${root}`,
      nonRetryable: true,
    });
  }
}

/** An id used in a path (agent or session id) must be one path segment, never `..` or a separator. */
export function assertIdSegment(id: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,60}$/.test(id)) {
    throw ApplicationFailure.create({
      type: 'UnsafeCleanupTarget',
      message: `refusing id ${JSON.stringify(id)}: not a ratchet agent or session id`,
      nonRetryable: true,
    });
  }
}
