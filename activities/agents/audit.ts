/**
 * The rollback audit trail on disk: `<dataDir>/audit/rollback.jsonl`, one
 * JSON record per line, appended in one O_APPEND write per rollback (so
 * concurrent rollbacks' lines never interleave, and no lock is needed). A
 * retried activity does not write twice: records carry the operation id and
 * a rollback's records are skipped when that id is already there.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AUDIT_LEVELS,
  rollbackAuditRecords,
  type AuditLevel,
  type AuditRecord,
  type RollbackAuditInput,
} from '../../domain/rollbackAudit';

export function auditFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'rollback.jsonl');
}

/** Every record, oldest first; a torn or foreign line is skipped, not fatal. */
export function readAudit(dataDir: string): AuditRecord[] {
  const file = auditFile(dataDir);
  if (!existsSync(file)) return [];
  const out: AuditRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (r && AUDIT_LEVELS.includes(r.level) && typeof r.operationId === 'string') out.push(r);
    } catch {
      // a line cut short by a crash mid-append: the rest of the trail still reads
    }
  }
  return out;
}

/** Records at `min` level or above, for one operation or resource id (or all). */
export function filterAudit(
  records: AuditRecord[],
  filter: { id?: string; minLevel?: AuditLevel },
): AuditRecord[] {
  const min = AUDIT_LEVELS.indexOf(filter.minLevel ?? 'INFO');
  return records.filter(
    (r) =>
      AUDIT_LEVELS.indexOf(r.level) >= min &&
      (!filter.id || r.operationId === filter.id || r.resource_id === filter.id),
  );
}

export function createAuditActivities(deps: { dataDir: string }) {
  return {
    /** Written after compensation (not inside the saga engine): the whole rollback at once. */
    async recordRollbackAudit(input: RollbackAuditInput): Promise<{ written: number }> {
      const file = auditFile(deps.dataDir);
      mkdirSync(path.dirname(file), { recursive: true });
      const existing = await readFile(file, 'utf8').catch(() => '');
      if (existing.includes(`"operationId":${JSON.stringify(input.operationId)}`))
        return { written: 0 };
      const records = rollbackAuditRecords(input);
      // One appendFile, one write(2) with O_APPEND: concurrent rollbacks' lines never interleave.
      await appendFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      return { written: records.length };
    },
  };
}
