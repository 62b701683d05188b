import test from 'ava';
import { alignTabs } from '../../src/cli/render/tabwriter.js';

test('alignTabs() - empty leading cells become one space each', (t) => {
  t.is(alignTabs('id:\n\tMessages:\n\t\tline\n\tHas Changes: no'), 'id:\n Messages:\n  line\n Has Changes: no');
});

test('alignTabs() - a column block pads to its widest cell plus one', (t) => {
  const text = '\t\tmode:\t"a"\t=>\t"b"\n\t\tlonger.txt:\t"<file-missing>"\t=>\t"x"';
  t.is(alignTabs(text), '  mode:       "a"              => "b"\n  longer.txt: "<file-missing>" => "x"');
});

test('alignTabs() - a line without the column ends the block', (t) => {
  const text = '\t\tlong-key.txt:\t\n\t\tbefore:\n\t\tx\n\t\tmode:\t"a"\t=>\t"b"';
  t.is(alignTabs(text), '  long-key.txt: \n  before:\n  x\n  mode: "a" => "b"');
});

test('alignTabs() - widths count code points, not UTF-16 units', (t) => {
  t.is(alignTabs('é😀\tx\nab\ty'), 'é😀 x\nab y');
});

test('alignTabs() - the trailing cell of a line is never padded', (t) => {
  t.is(alignTabs('a\tbbbbbb\nccc\td'), 'a   bbbbbb\nccc d');
});

test('alignTabs() - text without tabs is unchanged', (t) => {
  t.is(alignTabs('plain\ntext\n'), 'plain\ntext\n');
});
