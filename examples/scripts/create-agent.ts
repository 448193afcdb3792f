/**
 * Create an agent and, when the saga failed and undid itself, print its
 * compensation ledger: every undo step, in the order it ran.
 *
 *   npx tsx create-agent.ts --name builder [--repo /abs/path/to/repo] [--fail-at spawn_process]
 *
 * Exit 0 when the agent was created, 1 when it was compensated, 2 on bad input.
 */
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { connectClient, createAgent, loadSettings } from 'ratchet/client';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      repo: { type: 'string' },
      'fail-at': { type: 'string' },
    },
  });
  const settings = loadSettings();
  const client = await connectClient(settings);
  try {
    const outcome = await createAgent(client, settings.taskQueue, {
      name: values.name,
      repo: values.repo,
      // For demos: make one step fail and watch everything before it be undone.
      failAt: values['fail-at'],
    });
    if (outcome.status === 'completed') {
      console.log(`created ${String(outcome.resources.agentId)} (${outcome.workflowId})`);
      return 0;
    }
    console.log(`${outcome.status}: step ${outcome.failedStep} failed — ${outcome.error}`);
    console.log('compensation ledger:');
    for (const c of outcome.compensations) {
      console.log(
        `  ${c.actionType.padEnd(20)} ${c.resourceId.padEnd(28)} priority ${String(c.priority).padStart(3)}  ${c.status} after ${c.attempts} attempt(s)${c.error ? ` — ${c.error}` : ''}`,
      );
    }
    console.log(`cleanup ${outcome.cleanupCompleteness}% complete`);
    return 1;
  } catch (err) {
    // The input is validated before anything starts: nothing was created.
    if (err instanceof ZodError) {
      console.error(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      return 2;
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
