/**
 * The Temporal Web UI, in a real browser (Debian's Chromium driven by
 * playwright-core, headless): a compensated agent creation and a rolled-back
 * pipeline show their activity summaries on the timeline, their current
 * details (the compensation ledger, the recovery plan) and their search
 * attributes, and the list view finds them with the README's queries.
 * Screenshots go to RATCHET_SCREENSHOTS_DIR (docs/screenshots refreshes the
 * README's), else a temp dir. Skipped, loudly, only when Chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parsePipeline } from '../../activities/pipelines/load';
import { createAgent } from '../../client/operations';
import { startPipeline } from '../../client/pipelines';
import { LIST_QUERIES } from '../../domain/searchAttributes';
import { startLocalTemporal, type LocalTemporal } from '../../server/localTemporal';
import { freePort } from '../../server/ports';
import { createRatchetWorker } from '../../workers/worker';
import { stepFault } from '../../domain/faults';
import { taskQueueFor } from '../helpers';

const CHROMIUM = process.env.RATCHET_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stderr.write(
    `\n*** SKIPPED the Web UI browser test: no Chromium at ${CHROMIUM}.\n` +
      `*** Install it with: sudo apt-get install -y chromium (or set RATCHET_CHROMIUM).\n\n`,
  );
}

describe.skipIf(!hasChromium)('the Temporal Web UI, in Chromium', () => {
  let server: LocalTemporal;
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;
  let browser: Browser;
  let page: Page;
  let scratch: string;
  const shots = process.env.RATCHET_SCREENSHOTS_DIR
    ? path.resolve(process.env.RATCHET_SCREENSHOTS_DIR)
    : path.join(tmpdir(), 'ratchet-screenshots');

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    // The shared test server is headless: this test starts one with the Web UI.
    server = await startLocalTemporal({
      cacheDir: process.env.RATCHET_CACHE_DIR ?? path.join(homedir(), '.cache', 'ratchet'),
      port: await freePort(),
      uiPort: await freePort(),
      headless: false,
    });
    connection = await Connection.connect({ address: server.address });
    native = await NativeConnection.connect({ address: server.address });
    client = new Client({ connection });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    scratch = mkdtempSync(path.join(tmpdir(), 'ratchet-browser-'));
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await native?.close();
    await connection?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Everything the page shows, iframes included (the UI renders user Markdown in a sandboxed iframe). */
  const visibleText = async () => {
    const texts = await Promise.all(
      page.frames().map((f) =>
        f
          .locator('body')
          .innerText()
          .catch(() => ''),
      ),
    );
    return texts.join('\n');
  };

  /** Opens a run's page in the Web UI and one of its tabs, as a person would click it. */
  const openRun = async (workflowId: string, tab?: 'User Metadata' | 'Search Attributes') => {
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    await page.goto(
      `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`,
    );
    if (tab) await page.getByText(tab, { exact: true }).first().click();
  };
  /** Screenshots once every iframe (the rendered Markdown) is as tall as its content. */
  const shoot = async (name: string) => {
    await expect
      .poll(
        async () => {
          for (const el of await page.locator('iframe').all()) {
            const box = await el.boundingBox();
            const frame = await (await el.elementHandle())?.contentFrame();
            // Runs in the page, which has a DOM (this file's lib does not).
            const content = await frame?.evaluate<number>('document.body.scrollHeight');
            if (box && content && box.height + 1 < content) return false;
          }
          return true;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
  };

  it('shows a compensated agent creation and a rolled-back pipeline legibly', async () => {
    const taskQueue = taskQueueFor('browser');
    const worker = await createRatchetWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      activityDeps: { dataDir: path.join(scratch, 'data') },
      workflowBundle: { codePath: inject('workflowBundlePath') },
      overrides: { shutdownGraceTime: '1 second' },
    });
    // The worker keeps running while the browser looks: current details are a query.
    await worker.runUntil(async () => {
      const agent = await createAgent(
        client,
        taskQueue,
        { name: 'shown' },
        { faults: [stepFault('agent', 'spawn_process', 'permanent')] },
      );
      expect(agent.status).toBe('compensated');

      // Timeline: every activity reads as the operation.
      await openRun(agent.workflowId);
      await expect
        .poll(async () => visibleText(), { timeout: 30_000 })
        .toContain('compensate remove_record (priority 100)');
      const timeline = await visibleText();
      expect(timeline).toContain('compensate terminate_process (priority 95)');
      expect(timeline).toContain('spawn agent runner');
      await shoot('agent-compensated-timeline');

      // User metadata: the static summary, and the current details with the ledger.
      await openRun(agent.workflowId, 'User Metadata');
      await expect
        .poll(async () => visibleText(), { timeout: 30_000 })
        .toContain('compensation ledger');
      const metadata = await visibleText();
      expect(metadata).toContain('create agent shown (injected: spawnAgentProcess permanent)');
      expect(metadata).toMatch(/remove_record\s+100\s+succeeded\s+1/);
      expect(metadata).toContain('cleanup completeness');
      await shoot('agent-compensated-details');

      // Search attributes.
      await openRun(agent.workflowId, 'Search Attributes');
      await expect
        .poll(async () => visibleText(), { timeout: 30_000 })
        .toContain('"RatchetState": "compensated"');
      expect(await visibleText()).toContain('"RatchetCleanupCompleteness": 100');

      // A pipeline whose test step fails and is rolled back: steps and the recovery plan.
      const workspace = path.join(scratch, 'ws');
      mkdirSync(workspace);
      writeFileSync(path.join(workspace, 'app.txt'), 'app\n');
      const pipeline = await startPipeline(client, taskQueue, {
        pipeline: parsePipeline(`name: shown-ci
recovery: { test_failure: [RETRY, ROLLBACK] }
steps:
  - { name: build, run: "true", kind: build }
  - { name: test, run: "echo '1 failing' >&2; exit 1", kind: test }
`),
        workspace,
        lane: 'standard',
      });
      expect((await pipeline.result()).status).toBe('rolled_back');
      await openRun(pipeline.workflowId, 'User Metadata');
      await expect.poll(async () => visibleText(), { timeout: 30_000 }).toContain('recovery plan');
      const pipelineText = await visibleText();
      expect(pipelineText).toContain('test (echo');
      expect(pipelineText).toMatch(/recovery plan for test \(test_failure\): RETRY → ROLLBACK ←/);
      expect(pipelineText).toContain('rolled_back');
      await shoot('pipeline-rolled-back-details');

      // The list view finds runs with the documented queries.
      await page.goto(
        `${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(LIST_QUERIES.compensatedAgentCreations)}`,
      );
      await expect.poll(async () => visibleText(), { timeout: 30_000 }).toContain(agent.workflowId);
      await shoot('list-compensated-agent-creations');
    });
    process.stderr.write(`Web UI screenshots: ${shots}\n`);
  });
});
