import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare } from '../helpers.js';
import { api, PULL_IMAGE, progressContext } from './docker-env.js';

async function removeLocal(ref: string): Promise<void> {
  try {
    await api.getImage(ref).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

test.serial('a missing image is pulled from the registry with progress, then reports no change', async (t) => {
  const ref = `${PULL_IMAGE}:latest`;
  await removeLocal(ref);
  t.teardown(() => removeLocal(ref));
  const { ctx, progress } = progressContext();
  const task = await prepare('docker.image', { name: PULL_IMAGE, inactivity_timeout: '30s' }, ctx.cwd);

  const before = await task.check(ctx);
  t.is(before.level, StatusLevel.WillChange);
  t.deepEqual(before.diffs['image'], { original: '<image-missing>', current: ref, changes: true });
  t.deepEqual(before.messages, [`image ${ref} is missing`]);

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined, applied.error);
  t.is(applied.messages.at(-1), `pulled ${ref}`);
  // The pull's own status lines (per layer) come before the summary, and the same events went live.
  t.true(applied.messages.length > 1);
  t.true(progress.length > 0);
  t.true(applied.messages.slice(0, -1).every((m) => progress.some((p) => p.startsWith(m))), JSON.stringify({ applied, progress }));

  const inspected = await api.getImage(ref).inspect();
  t.true((inspected.RepoTags ?? []).includes(ref));
  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.deepEqual(task.exported(), { name: PULL_IMAGE, tag: 'latest' });
});

test.serial('a tag the registry does not have fails the node with the engine message', async (t) => {
  const { ctx } = progressContext();
  const task = await prepare('docker.image', { name: PULL_IMAGE, tag: 'no-such-tag' }, ctx.cwd);
  t.is((await task.check(ctx)).level, StatusLevel.WillChange);
  const applied = await task.apply(ctx);
  t.is(applied.level, StatusLevel.Fatal);
  t.regex(applied.error ?? '', new RegExp(`pull image ${PULL_IMAGE}:no-such-tag: .+`));
});
