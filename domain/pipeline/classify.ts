/**
 * Failure classification from the evidence a step leaves: table-driven, first
 * matching rule wins, so the order says which explanation is preferred.
 */
import type { FailureType } from './schema';

export interface FailureEvidence {
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  /** Tail of stdout and stderr. */
  output: string;
  /** A Node error code when the command could not even start (ENOENT, EACCES…). */
  errorCode?: string | null;
  kind: 'build' | 'test' | 'quality_gate' | 'deploy' | 'other';
}

interface Rule {
  type: FailureType;
  matches(e: FailureEvidence): boolean;
}

const RESOURCE =
  /ENOSPC|No space left on device|ENOMEM|Cannot allocate memory|out of memory|OOMKilled|heap out of memory/i;
const NETWORK =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|Connection refused|Connection reset|Could not resolve host|Temporary failure in name resolution|Network is unreachable|getaddrinfo/i;
const GIT =
  /fatal: not a git repository|fatal: bad object|fatal: loose object .* is corrupt|error: object file .* is empty|fatal: bad revision|index file corrupt|bad index file|index file smaller than expected|fatal: unable to read tree|fatal: (?:unable to read|could not parse) (?:HEAD|commit)|fatal: your current branch '.*' does not have any commits|fatal: ambiguous argument 'HEAD'|fatal: detected dubious ownership/i;

export const CLASSIFICATION_RULES: readonly Rule[] = [
  { type: 'timeout', matches: (e) => e.timedOut },
  {
    type: 'resource_exhaustion',
    matches: (e) => e.signal === 'SIGKILL' || e.exitCode === 137 || RESOURCE.test(e.output),
  },
  {
    type: 'network_error',
    matches: (e) => NETWORK.test(e.output) || NETWORK.test(e.errorCode ?? ''),
  },
  { type: 'git_error', matches: (e) => GIT.test(e.output) },
  { type: 'test_failure', matches: (e) => e.kind === 'test' },
  { type: 'quality_gate_failure', matches: (e) => e.kind === 'quality_gate' },
];

export function classifyFailure(evidence: FailureEvidence): FailureType {
  return CLASSIFICATION_RULES.find((r) => r.matches(evidence))?.type ?? 'unknown';
}
