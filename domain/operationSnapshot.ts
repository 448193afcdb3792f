/**
 * The seed's OperationSnapshot: what an agent or session operation will
 * touch, recorded before its first step — registry ids, the files and
 * folders it will create or remove, the processes, and each repository's
 * worktrees and branches — so the check after compensating compares all of
 * them, not only the registry. Pure: the activities take the snapshots
 * (activities/agents/drift.ts), workflows validate and compare them.
 */
export const OPERATION_TYPES = [
  'agent.create',
  'agent.delete',
  'session.create',
  'session.delete',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export type PathState = 'absent' | 'file' | 'dir' | 'other';

export interface OperationSnapshot {
  operationId: string;
  operationType: OperationType;
  /** ISO-8601. */
  takenAt: string;
  /** The agent or session the operation is about. */
  subjectId: string;
  /** The git branch the subject gets (or had) in its repository. */
  subjectBranch: string | null;
  registry: { agents: string[]; sessions: string[]; allocations: string[] };
  /** Absolute path → what is there. */
  files: Record<string, PathState>;
  /** pid → alive. */
  processes: Record<string, boolean>;
  /** Repository → its worktree paths and branches. */
  worktrees: Record<string, { worktrees: string[]; branches: string[] }>;
}

/**
 * Why a snapshot cannot be trusted to compensate against (the seed's
 * `is_valid`, plus: it is this operation's, and not from the future). Empty
 * when it is valid. Compensating against an invalid one is refused
 * (`RollbackStateError`).
 */
export function snapshotProblems(
  s: Partial<OperationSnapshot> | null | undefined,
  expected: { operationId: string; operationType: OperationType; now: number },
): string[] {
  if (!s || typeof s !== 'object') return ['no snapshot'];
  const problems: string[] = [];
  if (!s.operationId) problems.push('operationId is empty');
  else if (s.operationId !== expected.operationId)
    problems.push(`snapshot of ${s.operationId}, not of ${expected.operationId}`);
  if (!OPERATION_TYPES.includes(s.operationType as OperationType))
    problems.push(`unknown operation type ${String(s.operationType)}`);
  else if (s.operationType !== expected.operationType)
    problems.push(`snapshot of a ${s.operationType}, not a ${expected.operationType}`);
  const at = typeof s.takenAt === 'string' ? Date.parse(s.takenAt) : Number.NaN;
  if (Number.isNaN(at)) problems.push('takenAt is not a timestamp');
  else if (at > expected.now + 60_000) problems.push(`takenAt ${s.takenAt} is in the future`);
  const reg = s.registry;
  if (
    !reg ||
    !['agents', 'sessions', 'allocations'].every((k) => Array.isArray(reg[k as 'agents']))
  )
    problems.push('registry ids are missing');
  for (const key of ['files', 'processes', 'worktrees'] as const) {
    const v = s[key];
    if (!v || typeof v !== 'object' || Array.isArray(v)) problems.push(`${key} is missing`);
  }
  return problems;
}

function setDiff(label: string, before: readonly string[], after: readonly string[]): string[] {
  const b = new Set(before);
  const a = new Set(after);
  return [
    ...[...a].filter((x) => !b.has(x)).map((x) => `${label}: ${x} is still there`),
    ...[...b].filter((x) => !a.has(x)).map((x) => `${label}: ${x} disappeared`),
  ];
}

/** After compensating a creation: every difference from the state before it. */
export function diffOperationSnapshots(
  before: OperationSnapshot,
  after: OperationSnapshot,
): string[] {
  const out: string[] = [];
  for (const key of ['agents', 'sessions', 'allocations'] as const)
    out.push(...setDiff(key, before.registry[key], after.registry[key]));
  for (const [file, state] of Object.entries(after.files)) {
    const was = before.files[file] ?? 'absent';
    if (was === state) continue;
    out.push(
      state === 'absent' ? `file: ${file} disappeared` : `file: ${file} is still there (${state})`,
    );
  }
  for (const [pid, alive] of Object.entries(after.processes)) {
    if (alive && !before.processes[pid]) out.push(`process: ${pid} is still running`);
  }
  for (const [repo, now] of Object.entries(after.worktrees)) {
    const then = before.worktrees[repo] ?? { worktrees: [], branches: [] };
    out.push(...setDiff(`worktree in ${repo}`, then.worktrees, now.worktrees));
    out.push(...setDiff(`branch in ${repo}`, then.branches, now.branches));
  }
  return out;
}

/**
 * After a delete: what of the subject is still there (the delete undoes
 * everything, so "the same as before" would be wrong — everything it had
 * must be gone).
 */
export function deletionLeftovers(before: OperationSnapshot, after: OperationSnapshot): string[] {
  const ownBranch = before.subjectBranch;
  const out: string[] = [];
  const id = before.subjectId;
  for (const key of ['agents', 'sessions', 'allocations'] as const)
    if (after.registry[key].includes(id)) out.push(`${key}: ${id} is still there`);
  for (const [file, state] of Object.entries(after.files))
    if (state !== 'absent') out.push(`file: ${file} is still there (${state})`);
  for (const [pid, alive] of Object.entries(after.processes))
    if (alive) out.push(`process: ${pid} is still running`);
  for (const [repo, now] of Object.entries(after.worktrees)) {
    const then = before.worktrees[repo] ?? { worktrees: [], branches: [] };
    const added = now.worktrees.filter((w) => !then.worktrees.includes(w));
    for (const w of added) out.push(`worktree in ${repo}: ${w} appeared`);
    for (const w of now.worktrees.filter((w) => Object.keys(after.files).includes(w)))
      out.push(`worktree in ${repo}: ${w} is still there`);
    if (ownBranch && now.branches.includes(ownBranch))
      out.push(`branch in ${repo}: ${ownBranch} is still there`);
  }
  return out;
}
