/**
 * The registry file (contract in domain/registry.ts): written atomically
 * (activities/infra/atomicFile) under a cross-process lock
 * (activities/infra/locks), read without the lock (a rename is atomic, so a
 * reader sees a whole state).
 */
import { readJson, writeJsonAtomic } from '../infra/atomicFile';
import { withFileLock } from '../infra/locks';
import { EMPTY_REGISTRY, registryFile, type RegistryState } from '../../domain/registry';

export type {
  AgentEntry,
  Allocation,
  QuotaLimits,
  RegistrySnapshot,
  RegistryState,
  SessionEntry,
} from '../../domain/registry';
export { snapshotOf } from '../../domain/registry';

/** The registry as it is on disk now (no lock: readers see the last whole write). */
export async function readRegistry(dataDir: string): Promise<RegistryState> {
  const state = await readJson<Partial<RegistryState>>(registryFile(dataDir));
  return { ...structuredClone(EMPTY_REGISTRY), ...state };
}

export class Registry {
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = registryFile(dataDir);
  }

  read(): Promise<RegistryState> {
    return readRegistry(this.dataDir);
  }

  /** Read-modify-write under the lock; `change` may throw to abort without writing. */
  async update<T>(change: (state: RegistryState) => T): Promise<T> {
    return withFileLock(this.file, async () => {
      const state = await this.read();
      const before = JSON.stringify(state);
      const result = change(state);
      // Nothing changed (an idempotent retry, "nothing to undo"): spare the fsync.
      if (JSON.stringify(state) !== before) await writeJsonAtomic(this.file, state);
      return result;
    });
  }
}
