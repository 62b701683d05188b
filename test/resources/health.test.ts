import test from 'ava';
import { defaultHealth, describeHealth } from '../../src/resources/health.js';
import { makeStatus } from '../../src/resources/status.js';
import { StatusLevel } from '../../src/resources/types.js';

test('unchanged resources are healthy; changes are an error from WillChange up', (t) => {
  t.deepEqual(defaultHealth(makeStatus(StatusLevel.NoChange)), { level: 'healthy', messages: [] });
  t.deepEqual(defaultHealth(makeStatus(StatusLevel.WillChange)), {
    level: 'error',
    messages: ['Check returned 2', 'Check indicates changes are required'],
  });
  const diffOnly = makeStatus(StatusLevel.WontChange, { diffs: { a: { original: 'x', current: 'y', changes: true } } });
  t.is(defaultHealth(diffOnly).level, 'warning');
});

test('failing dependencies are counted and named in the error, as in the healthcheck sample', (t) => {
  const health = defaultHealth(makeStatus(StatusLevel.WillChange));
  t.deepEqual(describeHealth(health, ['root/file.content.render']), {
    messages: ['Check returned 2', 'Check indicates changes are required', '1 failing dependencies'],
    error: 'required changes detected; required dependencies are failing',
  });
  t.deepEqual(describeHealth({ level: 'healthy', messages: [] }, []), { messages: [], error: undefined });
  t.is(describeHealth({ level: 'healthy', messages: [] }, ['a', 'b']).error, 'required dependencies are failing');
});
