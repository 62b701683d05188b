/**
 * Template errors name the file position of the problem: the string's own start, plus the lines and
 * columns inside it, with escapes, heredoc markers and `<<-` indentation counted (issue 12, item 1).
 */
import test from 'ava';
import { ConvergeError } from '../../src/errors.js';
import { fixtureDir, run } from './engine/helpers.js';

async function planError(t: import('ava').ExecutionContext, name: string): Promise<ConvergeError> {
  const dir = fixtureDir(t, `positions/${name}`);
  const error = await t.throwsAsync(run('plan', dir, name));
  t.true(error instanceof ConvergeError);
  return error as ConvergeError;
}

const CASES = [
  // A bad function on file line 10 was `1:8` (the block's line and the column inside the string).
  { file: 'bad-function.hcl', code: 'CNV_ERR_TEMPLATE_PARSE', at: '10:21', problem: 'function "bogusfn" not defined' },
  // A parse error in a heredoc on file line 17 was `3:7`.
  { file: 'heredoc-parse.hcl', code: 'CNV_ERR_TEMPLATE_PARSE', at: '17:13', problem: 'missing value for if' },
  // An execution error in a heredoc was one line off (the `<<EOF` line was counted as the text's first).
  { file: 'heredoc-exec.hcl', code: 'CNV_ERR_TEMPLATE_EXEC', at: '5:11', problem: 'executing at <index>' },
  // In a one-line string the column was counted inside the decoded string (escapes `\t` and `\"` are two columns each).
  { file: 'escapes-exec.hcl', code: 'CNV_ERR_TEMPLATE_EXEC', at: '3:25', problem: 'executing at <index>' },
  // `<<-EOF` strips the closing line's indentation from every line; the column counts it back.
  { file: 'indented-heredoc.hcl', code: 'CNV_ERR_TEMPLATE_EXEC', at: '5:15', problem: 'executing at <index>' },
  // A case predicate is a quoted key.
  { file: 'case-predicate.hcl', code: 'CNV_ERR_TEMPLATE_PARSE', at: '2:17', problem: 'function "nofn" not defined' },
] as const;

for (const c of CASES) {
  test(`template positions - ${c.file} reports ${c.at}`, async (t) => {
    const error = await planError(t, c.file);
    t.is(error.code, c.code);
    t.true(error.message.startsWith(`${c.file}:${c.at}: template: `), error.message);
    t.true(error.message.includes(c.problem), error.message);
    const [line, column] = c.at.split(':').map(Number);
    t.like(error.details, { file: c.file, line, column });
  });
}
