import test from 'ava';
import { getResource, resourceKinds } from '../../src/resources/index.js';

test('the core kinds are registered; structural kinds are not', (t) => {
  const kinds = resourceKinds();
  for (const kind of ['file.content', 'file.directory', 'file.mode', 'file.owner', 'task', 'healthcheck.task', 'task.query', 'wait.query', 'wait.port']) {
    t.true(kinds.includes(kind), kind);
    t.is(getResource(kind)?.kind, kind);
  }
  for (const kind of ['param', 'module', 'macro.switch', 'macro.case']) t.is(getResource(kind), undefined);
  t.deepEqual(kinds, [...kinds].sort());
});

test('every definition documents its fields and exports', (t) => {
  for (const kind of resourceKinds()) {
    const def = getResource(kind);
    t.truthy(def?.doc, kind);
    for (const field of def?.fields ?? []) t.truthy(field.doc, `${kind}.${field.name}`);
  }
});
