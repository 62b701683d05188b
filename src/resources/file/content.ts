/**
 * `file.content`: a file whose content is given in the module (fields: docs/resources.md).
 */
import { statSync, type Stats } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileKind } from '../../file-kind.js';
import { fsErrorText, failedStatus, makeStatus, textDiff } from '../status.js';
import type { Diff } from '../../protocol.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

const FILE_MISSING = '<file-missing>';
const NEW_FILE_MODE = 0o600;

class FileContent implements Task {
  readonly #content: string;
  readonly #destination: string;
  readonly #absolute: string;

  constructor(content: string, destination: string, cwd: string) {
    this.#content = content;
    this.#destination = destination;
    this.#absolute = path.resolve(cwd, destination);
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const dest = this.#destination;
    const found = this.#stat();
    if (found === 'missing') {
      return makeStatus(StatusLevel.WillChange, {
        messages: [`${dest}: File is missing`],
        diffs: { [dest]: textDiff(FILE_MISSING, this.#content) },
      });
    }
    if (found instanceof Error) {
      return failedStatus(fsErrorText(found, 'stat', dest), { messages: [`Cannot read \`${dest}\``] });
    }
    if (found.isDirectory()) {
      return failedStatus(`cannot update contents of ${JSON.stringify(dest)}, it is a directory`, {
        level: StatusLevel.CantChange,
        messages: [`${dest} is a directory`],
      });
    }
    if (!found.isFile()) {
      // Reading a FIFO would block a libuv pool thread until a writer comes, past any node timeout;
      // a device such as /dev/zero never ends.
      return failedStatus(`cannot update contents of ${JSON.stringify(dest)}, it is ${fileKind(found)}, not a regular file`, {
        level: StatusLevel.CantChange,
        messages: [`${dest} is not a regular file`],
      });
    }
    let actual: string;
    try {
      actual = await readFile(this.#absolute, 'utf8');
    } catch (error) {
      return failedStatus(fsErrorText(error, 'open', dest));
    }
    if (actual === this.#content) return makeStatus(StatusLevel.NoChange, { messages: ['OK'] });
    return makeStatus(StatusLevel.WillChange, {
      messages: ['contents differ'],
      diffs: { [dest]: textDiff(actual, this.#content) },
    });
  }

  async apply(_ctx: RunContext): Promise<ResourceStatus> {
    const dest = this.#destination;
    const found = this.#stat();
    const diffs: Record<string, Diff> = {};
    try {
      if (found === 'missing') {
        diffs[dest] = textDiff(FILE_MISSING, this.#content);
        diffs['mode'] = textDiff('not set', '0600');
        await writeFile(this.#absolute, this.#content, { mode: NEW_FILE_MODE });
      } else if (found instanceof Error) {
        return failedStatus(fsErrorText(found, 'stat', dest));
      } else {
        const before = found.isFile() ? await readFile(this.#absolute, 'utf8') : '';
        diffs[dest] = textDiff(before, this.#content);
        // An existing file keeps its mode: writeFile only applies `mode` when it creates the file.
        await writeFile(this.#absolute, this.#content);
      }
    } catch (error) {
      return failedStatus(fsErrorText(error, 'open', dest), { diffs });
    }
    return makeStatus(StatusLevel.WillChange, { diffs });
  }

  exported(): Readonly<Record<string, unknown>> {
    return { content: this.#content, destination: this.#destination };
  }

  /**
   * Synchronous on purpose: a stat is a few microseconds, while the promise form costs a trip through
   * libuv's thread pool and, for the usual missing file of a plan, an Error with a stack trace. On a
   * server walking thousands of these nodes at once, that was most of a worker's time.
   */
  #stat(): Stats | 'missing' | Error {
    try {
      return statSync(this.#absolute, { throwIfNoEntry: false }) ?? 'missing';
    } catch (error) {
      return error as Error;
    }
  }
}

export const fileContent: ResourceDefinition = {
  kind: 'file.content',
  doc: 'Renders content to a file on disk. A new file is created with mode 0600; an existing file keeps its mode.',
  fields: [
    { name: 'content', type: 'string', doc: 'The file content; rendered as a template.', default: '' },
    {
      name: 'destination',
      type: 'string',
      doc: 'Where on disk the content is written; relative paths resolve against the working directory.',
      required: true,
      nonempty: true,
    },
  ],
  exports: ['content', 'destination'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new FileContent(fields['content'] as string, fields['destination'] as string, ctx.cwd);
  },
};
