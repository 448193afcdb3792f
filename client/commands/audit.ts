/**
 * `ratchet agent audit [ID] [--level L] [--json]`: the rollback audit trail
 * (seed 001's audit records) from `<dataDir>/audit/rollback.jsonl`, for one
 * operation (workflow id) or agent/session id, or all. Reads the data dir
 * only: no server needed.
 */
import type { Command } from 'commander';
import { filterAudit, readAudit } from '../../activities/agents/audit';
import { AUDIT_LEVELS, type AuditLevel } from '../../domain/rollbackAudit';
import { settingsFrom, type GlobalOptions } from '../context';
import { CliError, ExitCode, printJson, println, table } from '../output';

export function registerAgentAudit(group: Command, globals: () => GlobalOptions): void {
  group
    .command('audit')
    .description(
      'rollback audit records (INFO/WARNING/ERROR/CRITICAL): start, each compensation, completion, critical failures',
    )
    .argument('[id]', 'an operation (workflow id) or agent/session id; default: all')
    .option('--level <level>', `only this level and above: ${AUDIT_LEVELS.join(', ')}`, 'INFO')
    .option('--json', 'print the records as a JSON array')
    .action((id: string | undefined, o: { level: string; json?: boolean }) => {
      const level = o.level.toUpperCase();
      if (!AUDIT_LEVELS.includes(level as AuditLevel))
        throw new CliError(`--level must be one of ${AUDIT_LEVELS.join(', ')}`);
      const records = filterAudit(readAudit(settingsFrom(globals()).dataDir), {
        id,
        minLevel: level as AuditLevel,
      });
      if (o.json) printJson(records);
      else if (records.length === 0)
        println(id ? `no audit records for ${id}` : 'no audit records');
      else
        println(
          table(
            ['TIME', 'LEVEL', 'OPERATION', 'RESOURCE', 'OK', 'DETAIL'],
            records.map((r) => [
              r.timestamp,
              r.level,
              r.operation,
              r.resource_id,
              r.success ? 'yes' : 'no',
              r.error_message ??
                (r.metadata.rollback_duration_ms !== undefined
                  ? `${String(r.metadata.successful_actions)} ok, ${String(r.metadata.failed_actions)} failed, ${String(r.metadata.rollback_duration_ms)} ms`
                  : ''),
            ]),
          ),
        );
      process.exitCode = ExitCode.ok;
    });
}
