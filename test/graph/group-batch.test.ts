import test from 'ava';
import { graphJob } from '../../src/graph/index.js';
import { tempDir } from './engine/helpers.js';

const MODULE = `
task "update" {
  check = "true"
  apply = "true"
  group = "apt"
}
package.apt "jq" {
  name  = "jq"
  group = "apt"
}
package.apt "tree" {
  name  = "tree"
  group = "apt"
}
package.apt "hello" {
  name  = "hello"
  group = "apt"
}
`;

test('linkGroups() - adjacent package nodes of a group share one link of the chain, released together', async (t) => {
  const dir = tempDir(t, { 'main.hcl': MODULE });
  const { edges } = await graphJob({ kind: 'graph', location: 'main.hcl', params: {}, cwd: dir, parallelism: 4 });
  const packages = ['root/package.apt.hello', 'root/package.apt.jq', 'root/package.apt.tree'];
  const order = edges.filter((e) => e.attributes === null || !e.attributes.includes('parent'));
  const between = (a: string, b: string): boolean => order.some((e) => e.source === a && e.dest === b);
  for (const a of packages) for (const b of packages) t.false(between(a, b), `${a} must not wait for ${b}`);
  // The task is the other link: either every package waits for it, or it waits for every package.
  const after = packages.every((p) => between(p, 'root/task.update'));
  const before = packages.every((p) => between('root/task.update', p));
  t.true(after !== before, JSON.stringify(order));
});
