import test from 'ava';
import type { GraphEdge, GraphVertex } from '../../src/protocol.js';
import { renderDot } from '../../src/cli/render/dot.js';

const v = (id: string, kind: string, details: object = {}): GraphVertex => ({ id, kind, details: JSON.stringify(details) });
const parent = (source: string, dest: string): GraphEdge => ({ source, dest, attributes: ['parent'] });
const dep = (source: string, dest: string): GraphEdge => ({ source, dest, attributes: null });

const vertices = [
  v('root', 'root'),
  v('root/param.message', 'param', { default: 'hi' }),
  v('root/task.dir', 'task'),
  v('root/module.basic', 'module'),
  v('root/module.basic/task.render', 'task'),
  v('root/file.content.x', 'file.content', { destination: 'x.txt' }),
];
const edges = [
  parent('root', 'root/param.message'),
  parent('root', 'root/task.dir'),
  parent('root', 'root/module.basic'),
  parent('root/module.basic', 'root/module.basic/task.render'),
  parent('root', 'root/file.content.x'),
  dep('root/module.basic', 'root/task.dir'),
  dep('root/task.dir', 'root/param.message'),
];

test('renderDot() - clusters per module, dependency -> dependent, params hidden', (t) => {
  t.is(
    renderDot(vertices, edges),
    [
      'digraph {',
      '',
      'subgraph cluster_0 {',
      '"root" [ label="Module: /" , shape="folder" ];',
      '"root/file.content.x" [ label="File: x.txt" , shape="tab" ];',
      '"root/task.dir" [ label="task.dir" , shape="component" ];',
      'subgraph cluster_1 {',
      '"root/module.basic" [ label="Module: module.basic" , shape="folder" ];',
      '"root/module.basic/task.render" [ label="task.render" , shape="component" ];',
      '}',
      '}',
      '"root/module.basic" -> "root" [ label="" ];',
      '"root/task.dir" -> "root/module.basic" [ label="" ];',
      '}',
      '',
    ].join('\n'),
  );
});

test('renderDot() - --show-params draws params with their value', (t) => {
  const out = renderDot(vertices, edges, { showParams: true });
  t.true(out.includes('"root/param.message" [ label="param.message: hi" ];'));
  t.true(out.includes('"root/param.message" -> "root/task.dir" [ label="" ];'));
});

test('renderDot() - a root-only graph is still valid dot', (t) => {
  t.is(renderDot([v('root', 'root')], []), 'digraph {\n\nsubgraph cluster_0 {\n"root" [ label="Module: /" , shape="folder" ];\n}\n}\n');
});
