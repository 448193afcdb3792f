/**
 * One-line summaries of activities in the domain's words, for the Web UI's
 * timeline (`checkpoint mylib (after test)`, `tests (node --test)`,
 * `apply 02-median-off-by-one.patch`). The workflow interceptor
 * (workflows/interceptors.ts) gives every scheduled activity one unless its
 * caller wrote its own. Pure, so it is unit-tested without a server.
 */

type Args = Record<string, unknown>;

const MAX = 120;

function short(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function str(args: Args, key: string): string {
  const v = args[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function baseName(p: string): string {
  return p.split('/').filter(Boolean).pop() ?? p;
}

const TABLE: Record<string, (a: Args) => string> = {
  createCheckpoint: (a) => {
    const meta = (a.metadata ?? {}) as Args;
    const what = str(meta, 'stepName') || str(meta, 'phase') || str(meta, 'kind');
    return `checkpoint ${str(a, 'moduleId')}${what ? ` (${what})` : ''}`;
  },
  restoreCheckpoint: (a) => `restore ${str(a, 'checkpointId')}`,
  validateCheckpoint: (a) => `validate ${str(a, 'checkpointId')}`,
  workspaceChecksum: (a) => `checksum workspace of ${str(a, 'moduleId')}`,
  getLineage: (a) => `read lineage of ${str(a, 'moduleId')}`,
  setVersionStatus: (a) => `mark ${str(a, 'moduleId')} ${str(a, 'version')} ${str(a, 'status')}`,
  tagVersion: (a) => `tag ${str(a, 'moduleId')} ${str(a, 'version')} ${str(a, 'tag')}`,
  assessCompatibility: (a) =>
    `compatibility ${str(a, 'moduleId')} ${str(a, 'fromVersion')} → ${str(a, 'toVersion') || 'workspace'}`,
  listPatches: (a) => `list patches in ${baseName(str(a, 'dir'))}`,
  applyPatch: (a) => `apply ${baseName(str(a, 'patchFile'))}`,
  runMutator: (a) => `mutate (${short(str(a, 'command'))})`,
  runTests: (a) => `tests (${short(str(a, 'command'))})`,
  runGate: (a) => `gate (${short(str(a, 'command'))})`,
  runSmokeCheck: (a) => `smoke check (${short(str(a, 'command'))})`,
  collectMetrics: (a) => `metrics (${short(str(a, 'command'))})`,
  recordEvents: (a) => `record ${Array.isArray(a.events) ? a.events.length : 0} events`,
  postEventsToWebhook: (a) =>
    `post ${Array.isArray(a.events) ? a.events.length : 0} events to webhook`,
  runPipelineStep: (a) => {
    const step = (a.step ?? {}) as Args;
    return `${str(step, 'name')} (${short(str(step, 'run'))})`;
  },
  validatePipelineState: () => 'validate workspace before resuming',
  registrySnapshot: () => 'snapshot the registry',
  registryDrift: () => 'compare the registry with the snapshot',
  reserveAgentRecord: (a) => `reserve registry record ${str(a, 'agentId')}`,
  allocateAgentResources: (a) => `allocate ${str(a, 'memoryMb')} MB quota`,
  createAgentWorktree: (a) => `create worktree in ${baseName(str(a, 'repo'))}`,
  createAgentScratch: () => 'create .session_ directory',
  persistAgentState: () => 'persist agent state',
  spawnAgentProcess: (a) => `spawn ${a.command ? short(str(a, 'command'), 40) : 'agent runner'}`,
  checkAgentHealth: (a) => `health check (up to ${str(a, 'timeoutMs')} ms)`,
  activateAgent: (a) => `activate ${str(a, 'agentId')}`,
  reserveSessionRecord: (a) => `reserve registry record ${str(a, 'sessionId')}`,
  createSessionDir: () => 'create .session_ directory',
  attachSessionGit: (a) => `create session branch in ${baseName(str(a, 'repo'))}`,
  startSessionWatcher: () => 'start file watcher',
  activateSession: (a) => `activate ${str(a, 'sessionId')}`,
  reportWorkerHealth: () => 'report worker health',
};

/** The summary for an activity call, or a plain fallback naming the activity. */
export function activitySummary(activityType: string, args: readonly unknown[]): string {
  const first = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as Args;
  const fn = TABLE[activityType];
  let text = activityType;
  try {
    if (fn) text = fn(first);
  } catch {
    text = activityType; // a summary must never fail a workflow task
  }
  return short(text, MAX);
}
