/**
 * Custom search attributes ratchet sets on its runs, so the Web UI and
 * `temporal workflow list --query` can find any run: by module, state,
 * operation, the last iteration's verdict, the active version, and whether
 * a human is needed. One module owns the keys; everyone imports them here.
 * Ready-made list queries are in LIST_QUERIES (and the README).
 */
import { defineSearchAttributeKey } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  RatchetModuleId: 'Keyword',
  RatchetState: 'Keyword',
  RatchetOperation: 'Keyword',
  RatchetVerdict: 'Keyword',
  RatchetActiveVersion: 'Keyword',
  RatchetHumanNeeded: 'Bool',
  RatchetCleanupCompleteness: 'Double',
  RatchetHost: 'Keyword',
} as const;

export type RatchetSearchAttribute = keyof typeof SEARCH_ATTRIBUTES;

export const MODULE_KEY = defineSearchAttributeKey('RatchetModuleId', 'KEYWORD');
export const STATE_KEY = defineSearchAttributeKey('RatchetState', 'KEYWORD');
export const OPERATION_KEY = defineSearchAttributeKey('RatchetOperation', 'KEYWORD');
export const VERDICT_KEY = defineSearchAttributeKey('RatchetVerdict', 'KEYWORD');
export const ACTIVE_VERSION_KEY = defineSearchAttributeKey('RatchetActiveVersion', 'KEYWORD');
export const HUMAN_NEEDED_KEY = defineSearchAttributeKey('RatchetHumanNeeded', 'BOOL');
export const CLEANUP_COMPLETENESS_KEY = defineSearchAttributeKey(
  'RatchetCleanupCompleteness',
  'DOUBLE',
);

/** List-view queries for the Web UI's search box or `temporal workflow list --query`. */
export const LIST_QUERIES = {
  waitingForAHuman: `RatchetHumanNeeded = true AND ExecutionStatus = 'Running'`,
  cyclesNeedingAttention: `RatchetState = 'needs_attention'`,
  cyclesOfAModule: `RatchetOperation = 'evolve' AND RatchetModuleId = 'mylib'`,
  rejectedIterations: `RatchetVerdict = 'rejected'`,
  runningOnAVersion: `RatchetActiveVersion = 'v3' AND ExecutionStatus = 'Running'`,
  incompleteCleanups: `RatchetCleanupCompleteness < 100`,
  compensatedAgentCreations: `RatchetOperation = 'agent.create' AND RatchetState = 'compensated'`,
  pipelinesWaitingForAnOperator: `RatchetOperation = 'pipeline' AND RatchetState = 'waiting_for_operator'`,
  runsOwnedByAHost: `RatchetHost = 'build-1' AND ExecutionStatus = 'Running'`,
} as const;

/** The host that owns a run (domain/hosts.ts): its host-bound activities run only there. */
export const HOST_KEY = defineSearchAttributeKey('RatchetHost', 'KEYWORD');
