import test from 'ava';
import type { NodeDetails } from '../../src/protocol.js';
import { isMetaNode, renderHuman, renderNodeBlock, type NodeResult } from '../../src/cli/render/human.js';
import { COLOR_STYLE } from '../../src/cli/render/style.js';

function node(id: string, details: Partial<NodeDetails>): NodeResult {
  return { id, details: { messages: [], changes: {}, hasChanges: false, error: '', warning: '', ...details } };
}

const missing = { original: '<file-missing>', current: 'hi there', changes: true };

test('renderNodeBlock() - task messages re-indent embedded lines', (t) => {
  const block = renderNodeBlock(
    node('root/task.render', { messages: ['check (returned: 1)\n\t\n\tcat: out.txt: No such file or directory\n'], hasChanges: true }),
  );
  t.is(
    block,
    'root/task.render:\n Messages:\n  check (returned: 1)\n  \n  cat: out.txt: No such file or directory\n \n Has Changes: yes\n Changes: No changes\n\n',
  );
});

test('renderNodeBlock() - single-line diffs are quoted and aligned', (t) => {
  const block = renderNodeBlock(
    node('root/file.content.x', {
      hasChanges: true,
      changes: { 'out.txt': missing, mode: { original: 'not set', current: '0600', changes: true } },
    }),
  );
  t.is(
    block,
    'root/file.content.x:\n Messages:\n Has Changes: yes\n Changes:\n' +
      '  mode:    "not set"        => "0600"\n' +
      '  out.txt: "<file-missing>" => "hi there"\n\n',
  );
});

test('renderNodeBlock() - multi-line diffs use the before/after form and break alignment', (t) => {
  const block = renderNodeBlock(
    node('root/file.content.list', {
      hasChanges: true,
      changes: {
        'a-list.txt': { original: '<file-missing>', current: '1\n2\n', changes: true },
        mode: { original: 'not set', current: '0600', changes: true },
      },
    }),
  );
  t.is(
    block,
    'root/file.content.list:\n Messages:\n Has Changes: yes\n Changes:\n' +
      '  a-list.txt: \n  before:\n  <file-missing>\n  after:\n  1\n  2\n  \n' +
      '  mode: "not set" => "0600"\n\n',
  );
});

test('renderNodeBlock() - error and warning lines come first', (t) => {
  const block = renderNodeBlock(node('root/task.x', { error: 'boom', warning: 'careful', hasChanges: true }));
  t.is(block, 'root/task.x:\n Error: boom\n Warning: careful\n Messages:\n Has Changes: yes\n Changes: No changes\n\n');
});

test('renderNodeBlock() - colours the id, Error, yes, keys and the diff', (t) => {
  const block = renderNodeBlock(
    node('root/file.content.x', { hasChanges: true, changes: { mode: { original: 'not set', current: '0600', changes: true } } }),
    COLOR_STYLE,
  );
  t.true(block.startsWith('\x1b[33mroot/file.content.x\x1b[0m:\n'));
  t.true(block.includes('Has Changes: \x1b[33myes\x1b[0m'));
  t.true(block.includes('\x1b[36mmode\x1b[0m: \x1b[1m"not set" => "0600"\x1b[0m'));
  const failed = renderNodeBlock(node('root/task.x', { error: 'boom' }), COLOR_STYLE);
  t.true(failed.startsWith('\x1b[31mroot/task.x\x1b[0m:\n \x1b[31mError\x1b[0m: boom\n'));
});

test('renderHuman() - sorts blocks, hides meta and dependency failures, lists errors and counts', (t) => {
  const out = renderHuman([
    node('root/task.transitive', { error: 'error in dependency "root/task.dependent"', hasChanges: true }),
    node('root/task.will-fail', { error: 'root/task.will-fail still has changes after apply', hasChanges: true }),
    node('root/param.name', { messages: ['x'] }),
    node('root', { messages: [''] }),
    node('root/task.dependent', { error: 'error in dependency "root/task.will-fail"', hasChanges: true }),
    node('root/task.independent', { hasChanges: true }),
  ]);
  t.is(
    out,
    '\nroot/task.independent:\n Messages:\n Has Changes: yes\n Changes: No changes\n\n' +
      'root/task.will-fail:\n Error: root/task.will-fail still has changes after apply\n Messages:\n Has Changes: yes\n Changes: No changes\n\n' +
      'Errors:\n * root/task.will-fail: root/task.will-fail still has changes after apply\n\n' +
      'Failed due to failing dependency:\n' +
      ' * root/task.dependent: error in dependency "root/task.will-fail"\n' +
      ' * root/task.transitive: error in dependency "root/task.dependent"\n\n' +
      'Summary: 1 errors, 1 changes, 2 dependency errors\n',
  );
});

test('renderHuman() - --show-meta and --only-show-changes filters', (t) => {
  const results = [node('root', {}), node('root/param.p', {}), node('root/task.a', { hasChanges: true }), node('root/task.b', {})];
  const meta = renderHuman(results, { showMeta: true });
  t.true(meta.includes('\nroot:\n'));
  t.true(meta.includes('\nroot/param.p:\n'));
  const changed = renderHuman(results, { onlyShowChanges: true });
  t.is(changed, '\nroot/task.a:\n Messages:\n Has Changes: yes\n Changes: No changes\n\nSummary: 0 errors, 1 changes\n');
});

test('renderHuman() - no nodes still prints the summary after a blank line', (t) => {
  t.is(renderHuman([]), '\nSummary: 0 errors, 0 changes\n');
});

test('renderHuman() - the summary is green without errors and red with them, in colour', (t) => {
  t.true(renderHuman([], { style: COLOR_STYLE }).endsWith('\x1b[32mSummary\x1b[0m: 0 errors, 0 changes\n'));
  const failed = renderHuman([node('root/task.a', { error: 'x' })], { style: COLOR_STYLE });
  t.true(failed.endsWith('\x1b[31mSummary\x1b[0m: 1 errors, 0 changes\n'));
});

test('isMetaNode() - params, modules and the root', (t) => {
  t.true(isMetaNode('root'));
  t.true(isMetaNode('root/param.x'));
  t.true(isMetaNode('root/module.m'));
  t.true(isMetaNode('root/module.m/param.y'));
  t.false(isMetaNode('root/module.m/task.t'));
  t.false(isMetaNode('root/macro.switch.s/macro.case.c'));
});
