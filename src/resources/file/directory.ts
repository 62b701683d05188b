/**
 * `file.directory`: a directory that must exist, optionally with its parents (`create_all`).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diff } from '../../protocol.js';
import { failedStatus, fsErrorText, makeStatus, textDiff } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

class FileDirectory implements Task {
  readonly #destination: string;
  readonly #createAll: boolean;
  readonly #cwd: string;

  constructor(destination: string, createAll: boolean, cwd: string) {
    this.#destination = destination;
    this.#createAll = createAll;
    this.#cwd = cwd;
  }

  /** Walks up from the destination until it finds something that exists. */
  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const diffs: Record<string, Diff> = {};
    let dest = this.#destination;
    for (;;) {
      let info;
      try {
        info = await stat(path.resolve(this.#cwd, dest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          return failedStatus(`could not stat ${JSON.stringify(dest)}: ${fsErrorText(error, 'stat', dest)}`);
        }
      }
      if (info === undefined) {
        if (!this.#createAll && dest !== this.#destination) {
          const message = `${JSON.stringify(dest)} does not exist and will not be created (enable create_all to do this)`;
          return failedStatus(message, { level: StatusLevel.CantChange, messages: [message] });
        }
        diffs[dest] = textDiff('<absent>', '<present>', '<absent>');
      } else if (!info.isDirectory()) {
        const message = `${JSON.stringify(dest)} already exists and is not a directory`;
        return failedStatus(message, { level: StatusLevel.CantChange, messages: [message] });
      } else {
        if (Object.keys(diffs).length > 0) return makeStatus(StatusLevel.WillChange, { diffs });
        return makeStatus(StatusLevel.NoChange, { messages: [`${JSON.stringify(dest)} already exists`] });
      }
      const parent = path.dirname(dest);
      // `.` and `/` always exist; stopping here also guards against a loop on odd paths.
      if (parent === dest) break;
      dest = parent;
    }
    return makeStatus(StatusLevel.WillChange, { diffs });
  }

  async apply(_ctx: RunContext): Promise<ResourceStatus> {
    const absolute = path.resolve(this.#cwd, this.#destination);
    try {
      await mkdir(absolute, { recursive: this.#createAll, mode: 0o700 });
    } catch (error) {
      return failedStatus(fsErrorText(error, 'mkdir', this.#destination));
    }
    return makeStatus(StatusLevel.WillChange, { messages: [`${JSON.stringify(this.#destination)} exists`] });
  }

  exported(): Readonly<Record<string, unknown>> {
    return { destination: this.#destination, createall: this.#createAll };
  }
}

export const fileDirectory: ResourceDefinition = {
  kind: 'file.directory',
  doc: 'Makes sure a directory exists; with create_all its missing parents are created too (like mkdir -p).',
  fields: [
    { name: 'destination', type: 'string', doc: 'The directory to create.', required: true, nonempty: true },
    { name: 'create_all', type: 'bool', doc: 'Whether missing parent directories are created as well.', default: false },
  ],
  exports: ['destination', 'createall'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new FileDirectory(fields['destination'] as string, fields['create_all'] as boolean, ctx.cwd);
  },
};
