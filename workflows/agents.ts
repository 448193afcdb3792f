/**
 * Agent and session operations as sagas over real resources.
 *
 *   agentCreate                              compensation            priority
 *     reserve_record      registry entry     remove the record         100
 *                                            remove the agent folder    10
 *     allocate_resources  quota booking      release the quota          80
 *     create_worktree     git branch+worktree remove both               90
 *     create_session_dir  .session_<id>      remove it                  60
 *     persist_state       state file         remove it                  70
 *     spawn_process       agent process      SIGTERM, then SIGKILL      95
 *     health_check        alive + heartbeat  —
 *
 *   sessionCreate: reserve_record 100 · create_session_dir 80 · git_integration 70 · start_watcher 60
 *
 *   temporary files (input.tempFiles): removed by add_temporary_file_cleanup, priority 60
 *
 * Deletion registers every teardown with the same priorities and runs them
 * at once: a delete is a compensation of everything, audited like one.
 *
 * Before the first step an OperationSnapshot records what the operation will
 * touch (registry, files, processes, worktrees); compensating against an
 * invalid one is refused (RollbackStateError). After compensating, the same
 * things are read again and every difference is reported (`registryDrift`),
 * and the rollback's audit records are written (activities/agents/audit.ts).
 *
 * The code is in operations/: common (proxies, parsing, audit), create,
 * createRun (a create's view, saga, steps and endings), compensate, delete.
 */
export { ledgerQuery } from './saga/view';
export { addTemporaryFileCleanup, outcomeQuery } from './operations/common';
export { agentCreate, sessionCreate } from './operations/create';
export { agentDelete, sessionDelete } from './operations/delete';
