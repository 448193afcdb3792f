/** The closed revert reason and the free text, from what a person typed. */
import { REVERT_REASONS } from '../metrics';
import type { RevertReasonCode } from '../versions';

/** `CODE: text` or `CODE` picks the closed reason; any other text is a MANUAL revert. */
export function reasonFromText(text: string): { reason: RevertReasonCode; detail: string } {
  const m = /^([A-Z_]+)\s*(?::\s*(.*))?$/s.exec(text.trim());
  if (m && (REVERT_REASONS as readonly string[]).includes(m[1]!))
    return { reason: m[1] as RevertReasonCode, detail: (m[2] ?? '').trim() || m[1]! };
  return { reason: 'MANUAL', detail: text.trim() };
}
