/**
 * Checkpoint store on a generated workspace (10,000 files, ~100 MB: text and
 * binary, nested), against baselines measured in the same run:
 *   - incremental checkpoint after a one-file change vs `git add -A && git commit`
 *     of the same change in a plain repository (goal ≤ 1.5×) and vs a full
 *     `tar czf` copy, the seeds' approach (goal ≥ 20× faster);
 *   - store size after 100 one-file-change checkpoints vs the workspace's own
 *     packed size (goal ≤ 1.1×);
 *   - the first (full) checkpoint vs `git add -A && git commit` of the same tree
 *     (goal ≤ 1.2×; medians of 3 alternating runs from scratch);
 *   - restore of a one-file change vs `git checkout -f` of the same change
 *     (goal ≤ 2×), and vs restoring the whole tree.
 * Set RATCHET_BENCH_FILES / RATCHET_BENCH_MB to scale it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CheckpointStore,
  createCheckpoint,
  registerWorkspace,
  restoreCheckpoint,
  storeSize,
  validateCheckpoint,
} from '../activities/checkpoints';
import { directorySize } from '../activities/checkpoints/storeSize';
import { execaModule } from '../activities/infra/execa';
import { medianMs, ratioLine } from './support';

const FILES = Number(process.env.RATCHET_BENCH_FILES ?? 10_000);
const TOTAL_MB = Number(process.env.RATCHET_BENCH_MB ?? 100);
const RUNS = 5;
const FIRST_RUNS = 3;
const RESTORE_RUNS = 9;
const CHECKPOINTS = 100;

const WORDS =
  'ratchet checkpoint lineage version rollback module workspace judge accept const return function export import'.split(
    ' ',
  );

/** Deterministic text of about `bytes` bytes (compressible, like source code). */
function text(bytes: number, seed: number): string {
  let s = seed;
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const w = `${WORDS[s % WORDS.length]}${s % 7 === 0 ? '\n' : ' '}`;
    parts.push(w);
    len += w.length;
  }
  return parts.join('');
}

function generate(root: string): string[] {
  const avg = Math.floor((TOTAL_MB * 1024 * 1024) / FILES);
  const files: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const rel = path.join(
      `dir${i % 20}`,
      `sub${i % 17}`,
      i % 4 === 0 ? 'deep' : '',
      `file${i}.${i % 3 === 0 ? 'bin' : 'txt'}`,
    );
    mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    const size = Math.floor(avg * (0.5 + ((i * 7919) % 100) / 100));
    writeFileSync(path.join(root, rel), i % 3 === 0 ? randomBytes(size) : text(size, i));
    files.push(rel);
  }
  return files;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const base = mkdtempSync(path.join(tmpdir(), 'ratchet-bench-cp-'));
  try {
    const ws = path.join(base, 'workspace');
    mkdirSync(ws);
    let t = performance.now();
    const files = generate(ws);
    console.log(
      `generated ${FILES} files, ${mb(await directorySize(ws))} in ${((performance.now() - t) / 1000).toFixed(1)}s`,
    );

    // The plain repository baseline lives in the workspace itself (the store excludes its .git).
    // First commits and first checkpoints alternate FIRST_RUNS times, each from scratch, and
    // the medians are compared: one run each swung 1.1–2.4× on a box shared with other work.
    // Like the worker, which loaded it long before: execa's first import (~0.2 s under tsx)
    // is the process's cost, not the checkpoint's (plain git's baseline pays no such thing).
    await execaModule();
    const commitTimes: number[] = [];
    const checkpointTimes: number[] = [];
    let store!: CheckpointStore;
    let first!: Awaited<ReturnType<typeof createCheckpoint>>;
    for (let i = 0; i < FIRST_RUNS; i++) {
      rmSync(path.join(ws, '.git'), { recursive: true, force: true });
      git(ws, 'init', '-q');
      git(ws, 'config', 'gc.auto', '0'); // like the store: no background gc skewing the timings
      t = performance.now();
      git(ws, 'add', '-A');
      git(ws, 'commit', '-q', '-m', 'initial');
      commitTimes.push(performance.now() - t);
      if (store) rmSync(store.dataDir, { recursive: true, force: true });
      store = new CheckpointStore(path.join(base, `data-${i}`));
      t = performance.now();
      first = await createCheckpoint(store, { workspace: ws, moduleId: 'bench' });
      checkpointTimes.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(`plain git: first commit ${ms(commitTimes)} ms`);
    console.log(`ratchet: first checkpoint ${ms(checkpointTimes)} ms, ${first.files} files`);
    console.log(
      ratioLine(
        'first checkpoint vs git add -A && git commit, median ms',
        median(checkpointTimes),
        median(commitTimes),
        '≤ 1.2×',
      ),
    );
    git(ws, 'gc', '--quiet');
    const packedSize = await directorySize(path.join(ws, '.git', 'objects'));

    // Same one-file change, committed by plain git and checkpointed by ratchet.
    let edit = 0;
    const change = () =>
      appendFileSync(path.join(ws, files[(edit++ * 97) % files.length]!), `edit ${edit}\n`);
    const gitTimes: number[] = [];
    const ratchetTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      change();
      gitTimes.push(
        await medianMs(1, async () => {
          git(ws, 'add', '-A');
          git(ws, 'commit', '-q', '-m', `edit ${i}`);
        }),
      );
      ratchetTimes.push(
        await medianMs(1, () => createCheckpoint(store, { workspace: ws, moduleId: 'bench' })),
      );
    }
    const incremental = median(ratchetTimes);
    const tarMs = await medianMs(1, async () => {
      execFileSync('tar', ['czf', path.join(base, 'copy.tgz'), '--exclude=./.git', '-C', ws, '.']);
    });
    console.log('\nincremental checkpoint after a one-file change (median ms):');
    console.log(
      ratioLine('  ratchet vs git add -A && git commit', incremental, median(gitTimes), '≤ 1.5×'),
    );
    console.log(ratioLine('  tar czf vs ratchet (times faster)', tarMs, incremental, '≥ 20×'));

    // Storage of 100 one-file-change checkpoints against the workspace packed once.
    for (let i = 0; i < CHECKPOINTS - RUNS - 1; i++) {
      change();
      await createCheckpoint(store, { workspace: ws, moduleId: 'bench' });
    }
    const loose = await storeSize(store);
    execFileSync('git', ['gc', '--quiet'], { env: { ...process.env, GIT_DIR: store.gitDir } });
    const packed = await storeSize(store);
    console.log(
      `\nstorage after ${CHECKPOINTS} checkpoints (1 full + ${CHECKPOINTS - 1} one-file changes):`,
    );
    console.log(
      `  store before gc ${mb(loose)}, after gc ${mb(packed)}; workspace packed once ${mb(packedSize)}`,
    );
    console.log(
      ratioLine(
        '  store (gc) vs workspace packed, MB',
        packed / 1048576,
        packedSize / 1048576,
        '≤ 1.1×',
      ),
    );
    console.log(
      ratioLine('  store (no gc) vs workspace packed, MB', loose / 1048576, packedSize / 1048576),
    );

    // Restores: one file differs, against git checking out the same change (the
    // workspace's own repository committed at the latest checkpoint's content),
    // and against the whole tree into an empty registered directory.
    const latest = `bench@v${CHECKPOINTS}`;
    git(ws, 'add', '-A');
    git(ws, 'commit', '-q', '-m', 'at the latest checkpoint');
    const validateMs = await medianMs(1, () => validateCheckpoint(store, latest));
    const oneFileTimes: number[] = [];
    const checkoutTimes: number[] = [];
    for (let i = 0; i < RESTORE_RUNS; i++) {
      change();
      oneFileTimes.push(
        await medianMs(1, () => restoreCheckpoint(store, { checkpointId: latest })),
      );
      change();
      checkoutTimes.push(await medianMs(1, async () => git(ws, 'checkout', '-q', '-f')));
    }
    const oneFile = median(oneFileTimes);
    const fresh = path.join(base, 'fresh');
    const wholeTree = await medianMs(1, async () => {
      rmSync(fresh, { recursive: true, force: true });
      mkdirSync(fresh);
      await registerWorkspace(store, { workspace: fresh });
      await restoreCheckpoint(store, { checkpointId: latest, workspace: fresh });
    });
    console.log(
      '\nrestore (each rehashes the files it writes and the trees above them; validate rehashes all):',
    );
    console.log(`  checkpoint validate alone ${validateMs.toFixed(0)} ms`);
    console.log(
      ratioLine(
        '  one-file change vs git checkout -f of it, ms',
        oneFile,
        median(checkoutTimes),
        '≤ 2×',
      ),
    );
    console.log(ratioLine('  one-file change vs whole tree, ms', oneFile, wholeTree));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
