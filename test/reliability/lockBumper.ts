/** Child process for infra.test.ts: bumps the counter file N times under the shared lock. */
import { readJson, writeJsonAtomic } from '../../activities/infra/atomicFile';
import { withFileLock } from '../../activities/infra/locks';

async function main(): Promise<void> {
  const [file, times] = process.argv.slice(2);
  for (let i = 0; i < Number(times); i++) {
    await withFileLock(
      file!,
      async () => {
        const cur = (await readJson<{ n: number }>(file!))!;
        await writeJsonAtomic(file!, { n: cur.n + 1 });
      },
      { staleMs: 2000 },
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
