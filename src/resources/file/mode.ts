/**
 * `file.mode`: the permission bits of an existing file or directory. The mode is octal (`mode = 0755`
 * or `mode = "0755"`), and is shown the way `ls -l` does (`-rwxr-xr-x`), as the original printed it.
 */
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { failedStatus, fsErrorText, makeStatus } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

/** `-rwxr-x---` for the permission bits of `mode`, as Go prints an `os.FileMode` without type bits. */
export function modeString(mode: number): string {
  const letters = 'rwxrwxrwx';
  let out = '-';
  for (let bit = 8; bit >= 0; bit--) {
    out += (mode & (1 << bit)) !== 0 ? letters[8 - bit] : '-';
  }
  return out;
}

class FileMode implements Task {
  readonly #destination: string;
  readonly #mode: number;
  readonly #absolute: string;

  constructor(destination: string, mode: number, cwd: string) {
    this.#destination = destination;
    // Only permission bits are managed, as in the original.
    this.#mode = mode & 0o777;
    this.#absolute = path.resolve(cwd, destination);
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const dest = this.#destination;
    const quoted = JSON.stringify(dest);
    let actual: number;
    try {
      actual = (await stat(this.#absolute)).mode & 0o777;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // A file a dependency creates later in the same run is missing at plan time: that is a change with
        // a warning, not an error, as in the original (apply fails if it is still missing then).
        return makeStatus(StatusLevel.MayChange, {
          warning: `${quoted} does not exist`,
          diffs: { [dest]: { original: modeString(0), current: modeString(this.#mode), changes: true } },
        });
      }
      return failedStatus(fsErrorText(error, 'stat', dest));
    }
    const changes = actual !== this.#mode;
    return makeStatus(changes ? StatusLevel.WillChange : StatusLevel.NoChange, {
      messages: [
        `${quoted} exists`,
        `${quoted}'s mode is ${JSON.stringify(modeString(actual))} expected ${JSON.stringify(modeString(this.#mode))}`,
      ],
      diffs: { [dest]: { original: modeString(actual), current: modeString(this.#mode), changes } },
    });
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    try {
      await chmod(this.#absolute, this.#mode);
    } catch (error) {
      const text = fsErrorText(error, 'chmod', this.#destination);
      return failedStatus(text, { messages: [`failed to set mode on ${this.#destination}: ${text}`] });
    }
    // The original showed the state after the change; the level says it ran.
    const after = await this.check(ctx);
    return after.error === undefined ? { ...after, level: StatusLevel.WillChange } : after;
  }

  exported(): Readonly<Record<string, unknown>> {
    return { destination: this.#destination, mode: modeString(this.#mode) };
  }
}

export const fileMode: ResourceDefinition = {
  kind: 'file.mode',
  doc: 'Sets the permission bits of a file or directory that already exists (for example one made by file.content).',
  fields: [
    { name: 'destination', type: 'string', doc: 'The file whose mode is managed.', required: true, nonempty: true },
    { name: 'mode', type: 'octal', doc: 'The mode, in octal: 0644 or "0644".', required: true },
  ],
  exports: ['destination', 'mode'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new FileMode(fields['destination'] as string, fields['mode'] as number, ctx.cwd);
  },
};
