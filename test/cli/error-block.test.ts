import test from 'ava';
import { renderErrorBlock, splitPosition } from '../../src/cli/render/error-block.js';
import { COLOR_STYLE, PLAIN_STYLE } from '../../src/cli/render/style.js';

test('splitPosition() - reads file:line:column from the message, URLs with ports included', (t) => {
  t.deepEqual(splitPosition('m.hcl:3:14: bad thing'), { text: 'bad thing', position: { file: 'm.hcl', line: 3, column: 14 } });
  t.deepEqual(splitPosition('https://h:8080/x.hcl:2:1: bad'), { text: 'bad', position: { file: 'https://h:8080/x.hcl', line: 2, column: 1 } });
  t.deepEqual(splitPosition('cannot reach converge server at 127.0.0.1:1: refused'), { text: 'cannot reach converge server at 127.0.0.1:1: refused' });
  t.deepEqual(splitPosition('expired on 2026-01-02 10:20:30: renew it'), { text: 'expired on 2026-01-02 10:20:30: renew it' });
});

test('splitPosition() - details win over the prefix', (t) => {
  const split = splitPosition('m.hcl:1:1: x', { file: '/abs/m.hcl', line: 4, column: 2 });
  t.deepEqual(split, { text: 'x', position: { file: '/abs/m.hcl', line: 4, column: 2 } });
});

test('renderErrorBlock() - later lines of the message follow the excerpt; hints sit together', (t) => {
  const text = renderErrorBlock(
    { text: 'first\nsecond', code: 'CNV_ERR_FIELD_UNKNOWN', position: { file: 'm.hcl', line: 12, column: 5 }, sourceLine: 'abc defg\r', hints: ['one', 'two'] },
    PLAIN_STYLE,
  );
  t.is(
    text,
    'Error: first\n\n  on m.hcl line 12, column 5:\n    12 | abc defg\n       |     ^\n\n  second\n\n  Hint: one\n  Hint: two\n\n  (CNV_ERR_FIELD_UNKNOWN)\n\n',
  );
});

test('renderErrorBlock() - colour marks the word Error and the caret, nothing else changes', (t) => {
  const block = { text: 'x', position: { file: 'm.hcl', line: 1, column: 1 }, sourceLine: 'y' };
  const coloured = renderErrorBlock(block, COLOR_STYLE);
  t.true(coloured.startsWith('\x1b[1m\x1b[31mError\x1b[0m\x1b[0m'));
  t.true(coloured.includes('\x1b[31m^\x1b[0m'));
  // eslint-disable-next-line no-control-regex
  t.is(coloured.replace(/\x1b\[\d+m/g, ''), renderErrorBlock(block, PLAIN_STYLE));
});
