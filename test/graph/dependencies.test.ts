import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { graphJob, validateJob } from '../../src/graph/engine.js';
import { ConvergeError } from '../../src/errors.js';
import { depEdges, fixtureDir, run, spec, tempDir } from './engine/helpers.js';

const T = (name: string, extra = ''): string => `task "${name}" {\n  check = "true ${name}"\n  apply = "true"\n${extra}}\n`;

/** Tasks that differ only by name: duplicates. */
const S = (name: string, extra = ''): string => `task "${name}" {\n  check = "true"\n  apply = "true"\n${extra}}\n`;

test('depends - resolves siblings first, then ancestors; modules and switches are valid targets', async (t) => {
  const dir = tempDir(t, {
    'main.hcl':
      T('x') +
      T('y') +
      'module "sub.hcl" "m" {}\n' +
      'switch "s" {\n  case "true" "c" {\n' +
      T('y') +
      T('inner', '  depends = ["task.y", "task.x"]\n') +
      '  }\n}\n' +
      T('after', '  depends = ["module.m", "macro.switch.s"]\n'),
    'sub.hcl': T('z'),
  });
  const graph = await graphJob(spec(dir, 'main.hcl'));
  const edges = depEdges(graph.edges);
  t.true(edges.includes('root/macro.switch.s/macro.case.c/task.inner -> root/macro.switch.s/macro.case.c/task.y'));
  t.true(edges.includes('root/macro.switch.s/macro.case.c/task.inner -> root/task.x'));
  t.false(edges.includes('root/macro.switch.s/macro.case.c/task.inner -> root/task.y'));
  t.true(edges.includes('root/task.after -> root/module.m'));
  t.true(edges.includes('root/task.after -> root/macro.switch.s'));
});

test('depends - a missing target is a load error naming it', async (t) => {
  const dir = tempDir(t, { 'main.hcl': T('a', '  depends = ["task.nonexistent"]\n') });
  const error = (await t.throwsAsync(validateJob(spec(dir, 'main.hcl')))) as ConvergeError;
  t.is(error.code, 'CNV_ERR_GRAPH_MISSING_DEPENDENCY');
  t.regex(error.message, /^main\.hcl:1:1: nonexistent vertices in edges: task\.nonexistent$/);
});

test('params - calls create edges; unknown params fail the load', async (t) => {
  const dir = tempDir(t, {
    'main.hcl': 'param "p" {\n  default = "v"\n}\n' + T('a', '  dir = "{{param `p`}}"\n'),
    'bad.hcl': T('bad', '  dir = "{{param `nonexistent`}}"\n'),
  });
  const graph = await graphJob(spec(dir, 'main.hcl'));
  t.deepEqual(depEdges(graph.edges), ['root/task.a -> root/param.p']);
  const error = (await t.throwsAsync(validateJob(spec(dir, 'bad.hcl')))) as ConvergeError;
  t.is(error.code, 'CNV_ERR_PARAM_UNKNOWN');
  t.regex(error.message, /root\/task\.bad: unknown parameter: param\.nonexistent/);
});

test('lookups - edges to the producer; names are case-insensitive; bad targets fail the load', async (t) => {
  const dir = fixtureDir(t, 'lookups.hcl');
  const graph = await graphJob(spec(dir, 'lookups.hcl'));
  t.true(depEdges(graph.edges).includes('root/file.content.out -> root/task.query.who'));

  const bad = tempDir(t, {
    'nowhere.hcl': T('a', '  dir = "{{lookup `task.nothing.status`}}"\n'),
    'branch.hcl':
      'switch "s" {\n  case "true" "c" {\n' + T('hidden') + '  }\n}\n' + T('peek', '  dir = "{{lookup `task.hidden.status`}}"\n'),
  });
  const nowhere = (await t.throwsAsync(validateJob(spec(bad, 'nowhere.hcl')))) as ConvergeError;
  t.is(nowhere.code, 'CNV_ERR_GRAPH_LOOKUP');
  t.regex(nowhere.message, /does not resolve to a valid node/);
  const branch = (await t.throwsAsync(validateJob(spec(bad, 'branch.hcl')))) as ConvergeError;
  t.regex(branch.message, /cannot resolve inner-branch node at root\/macro\.switch\.s\/macro\.case\.c\/task\.hidden/);
});

test('lookups - predicate lookups also order the nodes inside the case', async (t) => {
  const dir = tempDir(t, {
    'main.hcl':
      'task.query "a" {\n  query = "echo a"\n}\n' +
      'switch "s" {\n  case "eq `a` `{{lookup `task.query.a.status.stdout`}}`" "c" {\n' + T('in') + '  }\n  default {\n' + T('other') + '  }\n}\n',
  });
  const edges = depEdges((await graphJob(spec(dir, 'main.hcl'))).edges);
  t.true(edges.includes('root/macro.switch.s/macro.case.c -> root/task.query.a'));
  t.true(edges.includes('root/macro.switch.s/macro.case.c/task.in -> root/task.query.a'));
  t.true(edges.includes('root/macro.switch.s/macro.case.default -> root/macro.switch.s/macro.case.c'));
});

test('groups - members form one serial chain that keeps explicit dependencies', async (t) => {
  const dir = fixtureDir(t, 'groups.hcl');
  const edges = depEdges((await graphJob(spec(dir, 'groups.hcl'))).edges);
  const members = ['root/task.one', 'root/task.two', 'root/task.three'];
  const chain = edges.filter((e) => members.some((m) => e.startsWith(m + ' ')) && members.some((m) => e.endsWith(' ' + m)));
  t.is(chain.length, 2);
  t.true(chain.includes('root/task.two -> root/task.three'));
  t.false(edges.some((e) => e.includes('task.free')));
});

test('groups - members in different module calls chain the module nodes', async (t) => {
  const dir = fixtureDir(t, 'caller.hcl', 'child.hcl');
  const edges = depEdges((await graphJob(spec(dir, 'caller.hcl'))).edges);
  t.true(edges.includes('root/module.two -> root/module.one') || edges.includes('root/module.one -> root/module.two'));
});

test('cycles - the load fails naming every node on the cycle', async (t) => {
  const dir = tempDir(t, {
    'main.hcl': T('a', '  depends = ["task.b"]\n') + T('b', '  depends = ["task.c"]\n') + T('c', '  depends = ["task.a"]\n'),
  });
  const error = (await t.throwsAsync(validateJob(spec(dir, 'main.hcl')))) as ConvergeError;
  t.is(error.code, 'CNV_ERR_GRAPH_CYCLE');
  t.regex(error.message, /^main\.hcl:\d+:1: Cycle: /);
  for (const id of ['root/task.a', 'root/task.b', 'root/task.c']) t.true(error.message.includes(id));
});

test('merge - identical resources become one; switches and params are never merged', async (t) => {
  const dir = tempDir(t, {
    'main.hcl':
      'param "p" {\n  default = "x"\n}\nparam "q" {\n  default = "x"\n}\n' +
      S('d') +
      S('b', '  depends = ["task.d"]\n') +
      S('a', '  depends = ["task.b"]\n') +
      T('user', '  depends = ["task.a"]\n') +
      'switch "s" {\n  case "true" "c" {\n' + S('d') + '  }\n}\n',
  });
  const graph = await graphJob(spec(dir, 'main.hcl'));
  const ids = graph.vertices.map((v) => v.id).sort();
  t.deepEqual(ids, [
    'root',
    'root/macro.switch.s',
    'root/macro.switch.s/macro.case.c',
    'root/macro.switch.s/macro.case.c/task.d',
    'root/param.p',
    'root/param.q',
    'root/task.d',
    'root/task.user',
  ]);
  t.true(depEdges(graph.edges).includes('root/task.user -> root/task.d'));
});

test('depends - a module waits for its own depends, which the reported graph leaves out as the original did', async (t) => {
  const dir = fixtureDir(t, 'caller.hcl', 'child.hcl');
  const graph = await graphJob(spec(dir, 'caller.hcl'));
  t.false(depEdges(graph.edges).includes('root/module.two -> root/task.first'));
  const order: string[] = [];
  await run('apply', dir, 'caller.hcl', {
    parallelism: 8,
    onEvent: (e) => {
      if (e.run === 'FINISHED') order.push(e.id);
    },
  });
  t.true(order.indexOf('root/task.first') < order.indexOf('root/module.two/file.content.out'));
});

test('merge - lookups of a merged node read the node that replaced it', async (t) => {
  const dir = tempDir(t, {
    'main.hcl':
      'module "sub.hcl" "m" {}\ntask.query "q" {\n  query = "echo -n shared"\n}\n' +
      'file.content "g" {\n  destination = "g.txt"\n  content = "{{lookup `task.query.q.status.stdout`}}"\n}\n',
    'sub.hcl':
      'task.query "q" {\n  query = "echo -n shared"\n}\nfile.content "f" {\n  destination = "f.txt"\n  content = "{{lookup `task.query.q.status.stdout`}}"\n}\n',
  });
  const record = await run('apply', dir, 'main.hcl');
  // The module is declared first, so its copy runs first and is the one kept.
  t.false(record.results.has('root/task.query.q'));
  t.true(record.results.has('root/module.m/task.query.q'));
  t.is(record.results.get('root/module.m/file.content.f')?.error, '');
  t.is(fs.readFileSync(path.join(dir, 'f.txt'), 'utf8'), 'shared');
  t.is(fs.readFileSync(path.join(dir, 'g.txt'), 'utf8'), 'shared');
});
