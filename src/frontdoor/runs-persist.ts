/**
 * The server's side of the run store: opens it (better-sqlite3 loads only here, so a `--local` run
 * never pays for it), mirrors every new run into it, and closes it once the last mirror has written
 * its run's end.
 */
import type { JobSpec } from '../protocol.js';
import type { RunStore, RunStoreOptions } from '../store/run-store.js';
import type { RunOrigin } from './executor.js';
import type { Logger } from './logger.js';
import type { Run } from './runs.js';

export interface PersistedRuns {
  readonly store: RunStore;
  /** The executor's onRun hook. */
  mirror(run: Run, spec: JobSpec, origin: RunOrigin): void;
  /** Waits (up to `graceMs`) for running mirrors, then commits and closes the store. */
  close(graceMs?: number): Promise<void>;
}

export async function openPersistedRuns(options: RunStoreOptions, logger: Logger): Promise<PersistedRuns> {
  const [{ RunStore }, { mirrorRun }] = await Promise.all([import('../store/run-store.js'), import('./runs-mirror.js')]);
  const store = RunStore.open(options);
  logger.log('INFO', 'run store open', { file: store.file });
  const mirrors = new Set<Promise<void>>();
  return {
    store,
    mirror(run, spec, origin) {
      const mirroring = mirrorRun(store, run, spec, origin).catch((error: unknown) => {
        logger.log('ERROR', 'run store: mirroring a run failed', { run: run.id, error: String(error) });
      });
      mirrors.add(mirroring);
      void mirroring.finally(() => mirrors.delete(mirroring));
    },
    async close(graceMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(mirrors), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      store.close();
    },
  };
}
