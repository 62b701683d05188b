import test from 'ava';
import type { NodeDetails } from '../../src/protocol.js';
import { anyUnhealthy, renderHealth } from '../../src/cli/render/health.js';
import type { NodeResult } from '../../src/cli/render/human.js';

function node(id: string, details: Partial<NodeDetails>): NodeResult {
  return { id, details: { messages: [], changes: {}, hasChanges: false, error: '', warning: '', ...details } };
}

const results = [
  node('root', { health: { level: 'healthy', failingDependencies: [] } }),
  node('root/file.content.dep', {
    error: 'required changes detected; required dependencies are failing',
    messages: ['Check returned 2', '1 failing dependencies'],
    hasChanges: true,
    health: { level: 'error', failingDependencies: ['root/file.content.render'] },
  }),
  node('root/file.content.render', {
    error: 'required changes detected',
    hasChanges: true,
    health: { level: 'error', failingDependencies: [] },
  }),
  node('root/task.slow', { warning: 'may change', health: { level: 'warning', failingDependencies: [] } }),
  node('root/task.fine', { health: { level: 'healthy', failingDependencies: [] } }),
];

test('renderHealth() - the summary counts failing checks (the original always said 0)', (t) => {
  const out = renderHealth(results);
  t.true(out.startsWith('\nroot/file.content.dep:\n Error: required changes detected; required dependencies are failing\n'));
  t.true(out.endsWith('Summary: 2 errors, 1 warnings\n1 check will fail due to failing dependencies\n'));
});

test('renderHealth() - --quiet prints one line per unhealthy node, no blank lines between, counts only when not 0', (t) => {
  t.is(
    renderHealth(results, { quiet: true }),
    '\nroot/file.content.dep: Status: error; 1 failing dependency\n' +
      'root/file.content.render: Status: error\n' +
      'root/task.slow: Status: warning\n\n' +
      'Summary: 2 errors, 1 warnings\n1 check will fail due to failing dependencies\n',
  );
  const two = node('root/task.two', { health: { level: 'error', failingDependencies: ['a', 'b'] } });
  t.true(renderHealth([two], { quiet: true }).includes('root/task.two: Status: error; 2 failing dependencies\n\nSummary'));
  t.is(renderHealth([results[4]!], { quiet: true }), '\nSummary: 0 errors, 0 warnings\n0 checks will fail due to failing dependencies\n');
});

test('anyUnhealthy() - ignores the root', (t) => {
  t.true(anyUnhealthy(results));
  t.false(anyUnhealthy([results[0]!, results[4]!]));
  t.false(anyUnhealthy([node('root', { error: 'x', health: { level: 'error', failingDependencies: [] } })]));
});
