/**
 * The Markdown a long-running workflow shows as its current details in the
 * Temporal Web UI (`setCurrentDetails`), rewritten at each phase. Pure, so the
 * tables are unit-tested without a server.
 */
import type { StepRecord } from './operations';
import type { LedgerEntry } from './sagaLedger';

/** Table cells cannot hold pipes or newlines. */
function cell(value: unknown): string {
  const text = value === null || value === undefined || value === '' ? '—' : String(value);
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .slice(0, 200);
}

export function markdownTable(headers: string[], rows: unknown[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function sagaDetails(input: {
  title: string;
  phase: string;
  steps: readonly StepRecord[];
  ledger: readonly LedgerEntry[];
  cleanupCompleteness?: number;
}): string {
  const parts = [`### ${input.title}`, `**phase:** ${input.phase}`, '', '**steps**', ''];
  parts.push(
    markdownTable(
      ['step', 'status', 'ms', 'error'],
      input.steps.map((s) => [s.name, s.status, s.durationMs || '', s.error]),
    ),
  );
  parts.push('', '**compensation ledger**', '');
  parts.push(
    input.ledger.length === 0
      ? '_nothing to undo_'
      : markdownTable(
          ['action', 'priority', 'status', 'attempts', 'error'],
          input.ledger.map((e) => [e.actionType, e.priority, e.status, e.attempts, e.error]),
        ),
  );
  if (input.cleanupCompleteness !== undefined)
    parts.push('', `**cleanup completeness:** ${input.cleanupCompleteness} %`);
  return parts.join('\n');
}

export interface PipelineDetailStep {
  name: string;
  status: string;
  attempts: number;
  durationMs: number;
  checkpointId: string | null;
}

export function pipelineDetails(input: {
  pipeline: string;
  lane: string;
  status: string;
  currentStep: string | null;
  steps: readonly PipelineDetailStep[];
  plan: {
    step: string;
    failureType: string;
    strategies: readonly string[];
    current: number;
  } | null;
  failures?: readonly unknown[];
  resumes?: readonly unknown[];
}): string {
  const parts = [
    `### pipeline ${input.pipeline} (${input.lane})`,
    `**status:** ${input.status}${input.currentStep ? ` · **step:** ${input.currentStep}` : ''}`,
  ];
  // The plan first: it is what a person looking at a failing pipeline wants to know.
  if (input.plan) {
    const p = input.plan;
    parts.push(
      '',
      `**recovery plan** for \`${p.step}\` (${p.failureType}): ` +
        p.strategies
          .map((s, i) => (i === p.current ? `**${s}** ←` : i < p.current ? `~~${s}~~` : s))
          .join(' → '),
    );
  }
  parts.push(
    '',
    markdownTable(
      ['step', 'status', 'attempts', 'ms', 'checkpoint'],
      input.steps.map((s) => [s.name, s.status, s.attempts, s.durationMs || '', s.checkpointId]),
    ),
    '',
    `failures: ${input.failures?.length ?? 0} · resumes from a checkpoint: ${input.resumes?.length ?? 0}`,
  );
  return parts.join('\n');
}
