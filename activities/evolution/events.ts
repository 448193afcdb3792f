/**
 * Delivering evolution events: every event is logged (pino, through the
 * runtime logger), appended to an optional JSONL file, and POSTed to an
 * optional webhook. The workflow keeps the events themselves; these are copies
 * for people and other systems.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { EvolutionEvent } from '../../domain/evolution/events';

export async function recordEvents(input: {
  events: EvolutionEvent[];
  jsonl?: string;
}): Promise<void> {
  for (const event of input.events) {
    log.info(`${event.type}`, {
      ...event.data,
      seq: event.seq,
      moduleId: event.moduleId,
      iteration: event.iteration,
    });
  }
  if (input.jsonl && input.events.length) {
    await mkdir(path.dirname(input.jsonl), { recursive: true });
    await appendFile(input.jsonl, input.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}

/** Retried by the workflow's retry policy; a 4xx other than 408/429 will not get better. */
export async function postEventsToWebhook(input: {
  events: EvolutionEvent[];
  url: string;
}): Promise<void> {
  const res = await fetch(input.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: input.events }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.ok) return;
  const permanent =
    res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  throw ApplicationFailure.create({
    type: 'WebhookRejected',
    message: `webhook ${input.url} answered ${res.status}`,
    nonRetryable: permanent,
  });
}
