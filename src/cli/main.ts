/** Entry point of `bin/converge`: runs the CLI and exits with its status. */
import { EXIT } from './defaults.js';
import { main } from './cli.js';
import { restoreDeferredExtraCa } from '../extra-ca.js';

// Before anything can spawn a child or make a TLS context.
restoreDeferredExtraCa();

/** Waits for stdout to drain before exiting, so piped output is never cut short. */
function exitWith(code: number): void {
  // A stdout whose reader went away (broken-pipe.ts) will never drain.
  if (process.stdout.writableLength === 0 || process.stdout.destroyed) process.exit(code);
  process.stdout.once('drain', () => process.exit(code));
  process.stdout.once('close', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitWith, (error: unknown) => {
  process.stderr.write(`converge: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  exitWith(EXIT.failed);
});
