/**
 * file.fetch and unarchive through the real engine (load, render, lookups, plan, apply): exported fields
 * are readable from other nodes, and a plan right after an apply reports no change. The user kinds'
 * counterpart, which changes the machine, is test/resources/user/engine.system-test.ts.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run, tempDir } from '../graph/engine/helpers.js';
import { FIXTURES } from './system-helpers.js';

const changed = (results: ReadonlyMap<string, { hasChanges: boolean }>): string[] =>
  [...results].filter(([, d]) => d.hasChanges).map(([id]) => id).sort();

test('file.fetch and unarchive: lookups of their exports, then a plan after apply shows no change', async (t) => {
  const payload = 'payload\n';
  const sha = createHash('sha256').update(payload).digest('hex');
  const dir = tempDir(t, {
    'payload.txt': payload,
    'main.hcl': `
file.fetch "copy" {
  source      = "payload.txt"
  destination = "out/fetched.txt"
  hash_type   = "sha256"
  hash        = "${sha}"
}

file.directory "site" {
  destination = "site"
}

unarchive "site" {
  source      = "${path.join(FIXTURES, 'flat.zip')}"
  destination = "{{lookup \`file.directory.site.destination\`}}"
}

file.content "report" {
  destination = "report.txt"
  content     = "{{lookup \`file.fetch.copy.hash_type\`}}:{{lookup \`file.fetch.copy.hash\`}} {{lookup \`unarchive.site.destination\`}} {{lookup \`unarchive.site.force\`}}"
}
`,
  });
  const applied = await run('apply', dir, 'main.hcl');
  for (const [id, details] of applied.results) t.is(details.error, '', id);
  t.is(fs.readFileSync(path.join(dir, 'out/fetched.txt'), 'utf8'), payload);
  t.is(fs.readFileSync(path.join(dir, 'site/two/three.txt'), 'utf8'), 'three\n');
  t.is(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8'), `sha256:${sha} site false`);

  const planned = await run('plan', dir, 'main.hcl');
  t.deepEqual(changed(planned.results), []);
});
