/**
 * Hostile candidates in a real cycle on the real dev server, one per
 * iteration: each one's code, when the tests import it, attacks the machine
 * (reads the environment, approves its own cycle, opens a TCP connection to
 * the Temporal server, writes into the data dir and ~, allocates far too
 * much, leaves a daemon). Every attack fails, the candidate is rolled back
 * with its reason, the next iteration finds the workspace restored, and the
 * cycle goes on to accept a good candidate. What each attack saw is read
 * from the test command's own output, captured by an activity interceptor.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { processesInDir } from '../../activities/infra/commands';
import { detectSandbox } from '../../activities/infra/sandbox';
import {
  rejectEvolution,
  evolutionStatus,
  pauseEvolution,
  resumeEvolution,
} from '../../client/evolution';
import type { CommandOutcome } from '../../domain/evolution/failures';
import type { CycleResult } from '../../domain/evolution/results';
import { iterationWorkflowId } from '../../workflows/evolution/iteration';
import { createTestEnv, type TestEnv } from '../helpers';
import { BIN, ratchetCli } from '../support/cli';
import { BASE_FILES, CHANGES, type ScriptedChange } from '../support/evolutionFixture';
import { readTree, runCycle, type CycleRun } from '../support/evolutionRun';

const ADD_MUL = BASE_FILES['index.js']!;
const BUG = CHANGES.bug['index.js'];
const HOME_MARKER = `ratchet-sandbox-cycle-${process.pid}`;

/** Runs only inside the test command (node --test's children), then prints what it found. */
const attack = (body: string) =>
  [
    'if (process.env.NODE_TEST_CONTEXT) {',
    "  const { execFileSync } = require('node:child_process');",
    "  const fs = require('node:fs');",
    '  const evidence = {};',
    '  const attempt = (name, fn) => { try { evidence[name] = fn() ?? "ok"; } catch (e) { evidence[name] = `refused: ${e.code ?? ""} ${String(e.message).split("\\n")[0]}`; } };',
    body,
    "  console.log('EVIDENCE ' + JSON.stringify(evidence));",
    '}',
    '',
  ].join('\n');

function plan(paths: { dataDir: string; workflowId: string }): Record<number, ScriptedChange> {
  const address = inject('temporalAddress');
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    address.slice(address.lastIndexOf(':') + 1),
  ];
  return {
    // 1: read the worker's environment.
    1: {
      files: {
        'index.js':
          BUG +
          attack(
            '  evidence.env = Object.keys(process.env).sort(); evidence.home = process.env.HOME;',
          ),
      },
    },
    // 2: a BREAKING change (waits for a human) that tries to approve itself and to reach the server.
    2: {
      files: {
        ...CHANGES.renameExport,
        'index.js':
          CHANGES.renameExport['index.js'] +
          attack(
            [
              `  attempt('approve', () => execFileSync(process.execPath, [${JSON.stringify(BIN)}, 'evolve', 'approve', ${JSON.stringify(paths.workflowId)}, '--by', 'the-candidate'], { env: { ...process.env, TEMPORAL_ADDRESS: ${JSON.stringify(address)} }, stdio: 'pipe', timeout: 40000 }).toString());`,
              `  attempt('tcp', () => execFileSync(process.execPath, ['-e', "require('net').connect(${port}, '${host}').on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.error(e.code); process.exit(3) })"], { stdio: 'pipe' }).toString().trim());`,
            ].join('\n'),
          ),
      },
    },
    // 3: write into the data dir and the home directory.
    3: {
      files: {
        'index.js':
          BUG +
          attack(
            [
              `  attempt('dataDirList', () => fs.readdirSync(${JSON.stringify(paths.dataDir)}).join(','));`,
              `  attempt('dataDirWrite', () => fs.writeFileSync(${JSON.stringify(path.join(paths.dataDir, 'hacked'))}, 'x'));`,
              `  attempt('homeWrite', () => fs.writeFileSync(${JSON.stringify(path.join(homedir(), HOME_MARKER))}, 'x'));`,
            ].join('\n'),
          ),
      },
    },
    // 4: allocate far more memory than the limit.
    4: {
      files: {
        'index.js': ADD_MUL + attack('  const a = []; for (;;) a.push(Buffer.alloc(64 << 20, 1));'),
      },
    },
    // 5: leave a daemon in its own session.
    5: {
      files: {
        'index.js':
          ADD_MUL +
          attack(
            "  require('child_process').spawn('setsid', ['sleep', '300'], { detached: true, stdio: 'ignore' }).unref();",
          ),
      },
    },
    // 6: a good candidate.
    6: { files: CHANGES.faster },
  };
}

/** Waits for a condition (expect.poll is for tests, not their setup). */
async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function evidenceOf(output: string | undefined): Record<string, unknown> | null {
  const line = output?.split('\n').find((l) => l.includes('EVIDENCE '));
  return line
    ? (JSON.parse(line.slice(line.indexOf('EVIDENCE ') + 9)) as Record<string, unknown>)
    : null;
}

describe('hostile candidates in a sandboxed cycle', () => {
  let env: TestEnv;
  let run: CycleRun;
  let result: CycleResult;
  let sandboxed = false;
  let identity = '';
  const testOutputs = new Map<string, string>();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    sandboxed = (await detectSandbox()).bwrap !== null;
    if (!sandboxed) {
      console.warn('SKIPPING the sandboxed cycle: bubblewrap is not usable here');
      return;
    }
    env = await createTestEnv();
    identity = env.client.options.identity;
    // The worker's environment holds what a candidate must never see.
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_API_KEY: 'worker-secret',
      RATCHET_TASK_QUEUE: 'secret-queue',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
    });
    const recordTests = (ctx: Context): { inbound: ActivityInboundCallsInterceptor } => ({
      inbound: {
        async execute(input, next) {
          const out = (await next(input)) as CommandOutcome;
          if (ctx.info.activityType === 'runTests')
            testOutputs.set(ctx.info.workflowExecution?.workflowId ?? '', out.outputTail);
          return out;
        },
      },
    });
    run = await runCycle({
      env,
      name: 'hostile',
      plan,
      worker: { interceptors: { activity: [recordTests] } },
      config: {
        iterations: 6,
        maxConsecutiveRejections: 6,
        requireApproval: true,
        limits: { memoryMb: 512 },
      },
      during: async (handle) => {
        // The self-approving candidate waits for a human, whatever it tried.
        await until(
          async () =>
            (await evolutionStatus(env.client, handle.workflowId)).state === 'pending_approval',
        );
        await rejectEvolution(env.client, handle.workflowId, {
          by: 'alice',
          reason: 'it tried to approve itself',
        });
        await pauseEvolution(env.client, handle.workflowId, { by: 'bob' });
        await resumeEvolution(env.client, handle.workflowId, { by: 'bob' });
      },
    });
    result = run.result;
  }, 175_000);

  afterAll(async () => {
    process.env = savedEnv;
    await env?.teardown();
  });

  const iteration = (index: number) => {
    const record = result.iterations.find((r) => r.index === index);
    const output = testOutputs.get(iterationWorkflowId(run.result.workflowId, index));
    return { record, evidence: evidenceOf(output), output };
  };

  /** The workspace the next iteration found was the active version: restored. */
  const restoredAfter = (index: number) =>
    expect(
      result.events.find((e) => e.iteration === index + 1 && e.type === 'CHECKPOINT_CREATED')?.data,
    ).toMatchObject({ version: 'v1', reused: true });

  it('1: the environment holds no Temporal, ratchet or cloud variable', () => {
    if (!sandboxed) return;
    const { record, evidence } = iteration(1);
    expect(record).toMatchObject({ decision: 'rolled_back', reasonCode: 'tests_failed' });
    const names = evidence?.env as string[];
    expect(names).toContain('PATH');
    expect(names.filter((n) => /^(TEMPORAL|RATCHET|AWS)_/.test(n))).toEqual([]);
    expect(evidence?.home).toBe('/tmp/home');
    restoredAfter(1);
  });

  it('2: approving itself and reaching the server fail; the cycle waits for a human, who is recorded', () => {
    if (!sandboxed) return;
    const { record, evidence } = iteration(2);
    expect(evidence?.approve).toMatch(/^refused/);
    expect(evidence?.tcp).toMatch(/^refused/);
    expect(record).toMatchObject({ decision: 'rejected', reasonCode: 'rejected_by_operator' });
    const actions = result.events.filter((e) => e.type === 'OPERATOR_ACTION').map((e) => e.data);
    expect(actions).toEqual([
      expect.objectContaining({ action: 'reject', by: 'alice', identity }),
      expect.objectContaining({ action: 'pause', by: 'bob', identity }),
      expect.objectContaining({ action: 'resume', by: 'bob', identity }),
    ]);
    restoredAfter(2);
  });

  it('3: writes into the data dir and ~ are refused, and the store still validates', async () => {
    if (!sandboxed) return;
    const { record, evidence } = iteration(3);
    expect(record).toMatchObject({ decision: 'rolled_back', reasonCode: 'tests_failed' });
    expect(evidence?.dataDirList).toBe(''); // an empty directory: nothing of the store is visible
    expect(evidence?.dataDirWrite).toMatch(/^refused: EROFS/);
    expect(evidence?.homeWrite).toMatch(/^refused: EROFS/);
    expect(existsSync(path.join(run.dataDir, 'hacked'))).toBe(false);
    expect(existsSync(path.join(homedir(), HOME_MARKER))).toBe(false);
    expect(readdirSync(run.dataDir)).toContain('checkpoints');
    const validate = await ratchetCli(['checkpoint', 'validate'], {
      RATCHET_DATA_DIR: run.dataDir,
    });
    expect(validate.code).toBe(0);
    restoredAfter(3);
  });

  it('4: far more memory than the limit ends the tests as resource_limit', () => {
    if (!sandboxed) return;
    expect(iteration(4).record).toMatchObject({
      decision: 'rolled_back',
      reasonCode: 'resource_limit',
    });
    restoredAfter(4);
  });

  it('5: a daemon in its own session is killed with the command and held against the candidate', async () => {
    if (!sandboxed) return;
    expect(iteration(5).record).toMatchObject({
      decision: 'rolled_back',
      reasonCode: 'processes_left',
    });
    restoredAfter(5);
    expect(await processesInDir(run.workspace)).toEqual([]);
  });

  it('6: the cycle goes on and accepts the good candidate on an untouched base', () => {
    if (!sandboxed) return;
    expect(result.state).toBe('completed');
    expect(iteration(6).record?.decision).toBe('accepted');
    expect(readTree(run.workspace)).toEqual({ ...BASE_FILES, ...CHANGES.faster });
  });
});
