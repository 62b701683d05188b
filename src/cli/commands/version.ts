/** `converge version`: prints `converge <version>`, as the original did. */
import type { CommandContext } from '../command-context.js';
import { VERSION } from '../version.js';

export async function printVersion(): Promise<number> {
  process.stdout.write(`converge ${VERSION}\n`);
  return 0;
}

export async function versionCommand(_ctx: CommandContext): Promise<number> {
  return printVersion();
}
