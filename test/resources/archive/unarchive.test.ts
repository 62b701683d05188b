import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StatusLevel } from '../../../src/resources/types.js';
import { unarchive } from '../../../src/resources/archive/unarchive.js';
import { FIXTURES, prepare, runContext, tempDir } from '../system-helpers.js';

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

for (const archive of ['good.tar', 'good.tar.gz', 'good.tar.bz2', 'good.zip']) {
  test(`${archive}: unpacks with its top directory, as the original does, then a second plan shows no change`, async (t) => {
    const dest = tempDir(t);
    const task = await prepare(unarchive, { source: path.join(FIXTURES, archive), destination: dest });
    const ctx = runContext();

    const planned = await task.check(ctx);
    t.is(planned.level, StatusLevel.WillChange);
    t.deepEqual(planned.diffs['unarchive'], { original: path.join(FIXTURES, archive), current: dest, changes: true });
    t.true(planned.messages.some((m) => m.includes('to create')));
    t.false(fs.existsSync(path.join(dest, 'app')), 'check must not change the machine');

    const applied = await task.apply(ctx);
    t.is(applied.error, undefined);
    t.true(applied.messages.includes(`completed fetch and unarchive "${path.join(FIXTURES, archive)}"`));
    t.is(fs.readFileSync(path.join(dest, 'app/README'), 'utf8'), 'hello from the archive\n');
    t.is(fs.readFileSync(path.join(dest, 'app/docs/guide.txt'), 'utf8'), 'guide\n'.repeat(100));
    t.is(fs.statSync(path.join(dest, 'app/bin/run.sh')).mode & 0o777, 0o755);
    t.is(fs.readlinkSync(path.join(dest, 'app/link')), 'README');
    t.false(fs.existsSync(path.join(dest, 'README')), 'the top directory is not stripped');
    t.deepEqual(
      fs.readdirSync(dest).filter((n) => n.includes('converge-tmp')),
      [],
      'no temp files left',
    );

    const again = await task.check(ctx);
    t.is(again.level, StatusLevel.NoChange);
    t.deepEqual(again.diffs, {});
  });
}

test('an archive without a top directory is unpacked as it is', async (t) => {
  const dest = tempDir(t);
  const task = await prepare(unarchive, { source: path.join(FIXTURES, 'flat.zip'), destination: dest });
  await task.apply(runContext());
  t.is(fs.readFileSync(path.join(dest, 'one.txt'), 'utf8'), 'one\n');
  t.is(fs.readFileSync(path.join(dest, 'two/three.txt'), 'utf8'), 'three\n');
  t.is(fs.statSync(path.join(dest, 'two/three.txt')).mode & 0o777, 0o600);
  t.is((await task.check(runContext())).level, StatusLevel.NoChange);
});

test('a changed file is a change; without force it cannot be replaced, with force it is', async (t) => {
  const dest = tempDir(t);
  const source = path.join(FIXTURES, 'flat.tgz');
  const plain = await prepare(unarchive, { source, destination: dest });
  await plain.apply(runContext());
  fs.writeFileSync(path.join(dest, 'one.txt'), 'edited\n');
  fs.rmSync(path.join(dest, 'two/three.txt'));

  const refused = await plain.check(runContext());
  t.is(refused.level, StatusLevel.CantChange);
  t.is(refused.error, `will not replace, "one.txt" exists at "${dest}": checksum mismatch`);
  t.true(refused.messages.includes('use the "force" option to replace all files with checksum mismatch'));
  const notApplied = await plain.apply(runContext());
  t.is(notApplied.level, StatusLevel.CantChange);
  t.is(fs.readFileSync(path.join(dest, 'one.txt'), 'utf8'), 'edited\n');

  const forced = await prepare(unarchive, { source, destination: dest, force: true });
  const plan = await forced.check(runContext());
  t.is(plan.level, StatusLevel.WillChange);
  t.true(plan.messages.includes('1 to create: two/three.txt'));
  t.true(plan.messages.includes('1 to replace: one.txt'));
  await forced.apply(runContext());
  t.is(fs.readFileSync(path.join(dest, 'one.txt'), 'utf8'), 'one\n');
  t.is((await forced.check(runContext())).level, StatusLevel.NoChange);
});

test('files in the destination that the archive does not name are left alone', async (t) => {
  const dest = tempDir(t);
  fs.writeFileSync(path.join(dest, 'mine.txt'), 'keep\n');
  const task = await prepare(unarchive, { source: path.join(FIXTURES, 'flat.zip'), destination: dest });
  await task.apply(runContext());
  t.is(fs.readFileSync(path.join(dest, 'mine.txt'), 'utf8'), 'keep\n');
  t.is((await task.check(runContext())).level, StatusLevel.NoChange);
});

for (const format of ['tar', 'zip']) {
  const cases: [string, RegExp][] = [
    ['dotdot', /refusing entry "\.\.\/evil\.txt": "\.\." would leave the destination/],
    ['absolute', /refusing entry "\/tmp\/converge-evil\.txt": absolute paths are not allowed/],
    ['symlink-out', /refusing symlink "escape" -> "\.\.\/\.\.": the target is outside the destination/],
    ['symlink-abs', /refusing symlink "etc" -> "\/etc": the target is outside the destination/],
    ['through-link', /refusing entry "sub\/x\.txt": it would be written through the symlink "sub"/],
  ];
  for (const [name, message] of cases) {
    test(`zip-slip (${format}, ${name}) is refused and nothing is written`, async (t) => {
      const outer = tempDir(t);
      const dest = path.join(outer, 'dest');
      fs.mkdirSync(dest);
      const task = await prepare(unarchive, { source: path.join(FIXTURES, `slip-${name}.${format}`), destination: dest });
      const checked = await task.check(runContext());
      t.is(checked.level, StatusLevel.CantChange);
      t.regex(checked.error ?? '', message);
      const applied = await task.apply(runContext());
      t.is(applied.level, StatusLevel.CantChange);
      t.deepEqual(fs.readdirSync(dest), []);
      t.deepEqual(fs.readdirSync(outer), ['dest']);
      t.false(fs.existsSync('/tmp/converge-evil.txt'));
    });
  }
}

test('a symlink already in the destination that points outside is not written through', async (t) => {
  const outer = tempDir(t);
  const dest = path.join(outer, 'dest');
  const elsewhere = path.join(outer, 'elsewhere');
  fs.mkdirSync(dest);
  fs.mkdirSync(elsewhere);
  fs.symlinkSync(elsewhere, path.join(dest, 'two'));
  const task = await prepare(unarchive, { source: path.join(FIXTURES, 'flat.zip'), destination: dest });
  const checked = await task.check(runContext());
  t.is(checked.level, StatusLevel.CantChange);
  t.regex(checked.error ?? '', /refusing entry "two\/three\.txt": its directory resolves to/);
  await task.apply(runContext());
  t.deepEqual(fs.readdirSync(elsewhere), []);
});

test('hash of the archive: a match unpacks, a mismatch refuses', async (t) => {
  const source = path.join(FIXTURES, 'flat.tgz');
  const good = await prepare(unarchive, { source, destination: tempDir(t), hash_type: 'sha256', hash: sha256(source) });
  t.is((await good.check(runContext())).level, StatusLevel.WillChange);
  t.deepEqual(good.exported(), { source, destination: good.exported()['destination'], hash_type: 'sha256', hash: sha256(source), force: false });

  const dest = tempDir(t);
  const bad = await prepare(unarchive, { source, destination: dest, hash_type: 'md5', hash: '0'.repeat(32) });
  const checked = await bad.check(runContext());
  t.is(checked.level, StatusLevel.CantChange);
  t.is(checked.error, `cannot attempt unarchive: checksum of "${source}" does not match`);
  await bad.apply(runContext());
  t.deepEqual(fs.readdirSync(dest), []);
});

test('a missing source, a missing or non-directory destination and a non-archive cannot change', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, 'x');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ source: path.join(dir, 'nope.tar'), destination: dir }, /^cannot unarchive: ENOENT/],
    [{ source: path.join(FIXTURES, 'good.tar'), destination: path.join(dir, 'missing') }, /^destination ".*missing" does not exist$/],
    [{ source: path.join(FIXTURES, 'good.tar'), destination: file }, /^invalid destination ".*file", must be directory$/],
    [{ source: path.join(FIXTURES, 'not-an-archive.bin'), destination: dir }, /unrecognised archive format/],
  ];
  for (const [fields, message] of cases) {
    const status = await (await prepare(unarchive, fields)).check(runContext());
    t.is(status.level, StatusLevel.CantChange);
    t.regex(status.error ?? '', message);
  }
});

test('hash_type and hash are validated at prepare time with the field named', async (t) => {
  const base = { source: 'a.tar', destination: '/tmp' };
  await t.throwsAsync(prepare(unarchive, { ...base, hash_type: 'sha256' }), {
    message: /"hash" required with use of "hash_type"/,
  });
  await t.throwsAsync(prepare(unarchive, { ...base, hash: 'abc' }), { message: /"hash_type" required with use of "hash"/ });
  await t.throwsAsync(prepare(unarchive, { ...base, hash_type: 'crc32', hash: 'abc' }), {
    message: /"hash_type" must be one of "md5,sha1,sha256,sha512"/,
  });
  const error = await t.throwsAsync(prepare(unarchive, { ...base, hash_type: 'sha1', hash: 'abc' }));
  t.regex(error?.message ?? '', /"hash" is invalid length for sha1/);
  t.like((error as { details?: unknown }).details, { field: 'hash' });
});

test('relative source and destination resolve against the working directory', async (t) => {
  const dir = tempDir(t);
  fs.copyFileSync(path.join(FIXTURES, 'flat.zip'), path.join(dir, 'flat.zip'));
  fs.mkdirSync(path.join(dir, 'out'));
  const task = await prepare(unarchive, { source: 'flat.zip', destination: 'out' }, { cwd: dir });
  await task.apply(runContext(dir));
  t.true(fs.existsSync(path.join(dir, 'out/one.txt')));
  t.like(task.exported(), { source: 'flat.zip', destination: 'out' });
});

test('large entries stream through (tar.gz made by the tar library, zip made by zip)', async (t) => {
  const { create } = await import('tar');
  const { randomBytes } = await import('node:crypto');
  const { execFileSync } = await import('node:child_process');
  const work = tempDir(t);
  const src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'deep/er'), { recursive: true });
  const files = ['a.bin', 'deep/b.bin', 'deep/er/c.bin'];
  for (const f of files) fs.writeFileSync(path.join(src, f), randomBytes(3 * 1024 * 1024));
  fs.writeFileSync(path.join(src, 'small.txt'), 'small\n');
  await create({ gzip: true, file: path.join(work, 'big.tgz'), cwd: src }, ['.']);
  execFileSync('zip', ['-q', '-r', path.join(work, 'big.zip'), '.'], { cwd: src });
  for (const archive of ['big.tgz', 'big.zip']) {
    const dest = path.join(work, `out-${archive}`);
    fs.mkdirSync(dest);
    const task = await prepare(unarchive, { source: path.join(work, archive), destination: dest });
    const applied = await task.apply(runContext());
    t.is(applied.error, undefined, archive);
    for (const f of [...files, 'small.txt']) t.is(sha256(path.join(dest, f)), sha256(path.join(src, f)), `${archive}: ${f}`);
    t.is((await task.check(runContext())).level, StatusLevel.NoChange, archive);
  }
});

test('pkg/sub/f.txt in a tar made by tar(1) lands at DEST/pkg/sub/f.txt, as in the original', async (t) => {
  const work = tempDir(t);
  fs.mkdirSync(path.join(work, 'pkg/sub'), { recursive: true });
  fs.writeFileSync(path.join(work, 'pkg/sub/f.txt'), 'f\n');
  const archive = path.join(work, 'pkg.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', work, 'pkg']);
  const dest = tempDir(t);
  const task = await prepare(unarchive, { source: archive, destination: dest });
  await task.apply(runContext());
  t.is(fs.readFileSync(path.join(dest, 'pkg/sub/f.txt'), 'utf8'), 'f\n');
  t.false(fs.existsSync(path.join(dest, 'sub')));
  t.is((await task.check(runContext())).level, StatusLevel.NoChange);
});
