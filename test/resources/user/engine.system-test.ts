/**
 * user.group and user.user through the real engine (load, render, lookups, plan, apply): exported fields
 * are readable from other nodes, and a plan right after an apply reports no change. It adds a user and
 * a group to this machine, so it runs in `npm run test:system`, not `npm test`.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { run, tempDir } from '../../graph/engine/helpers.js';
import { getent, removeUsersAtTeardown } from './accounts.js';
import { uniqueName } from '../system-helpers.js';

const changed = (results: ReadonlyMap<string, { hasChanges: boolean }>): string[] =>
  [...results].filter(([, d]) => d.hasChanges).map(([id]) => id).sort();

test('user.group and user.user: the user joins the group found by lookup; a plan after apply changes nothing', async (t) => {
  const group = uniqueName('cnvg');
  const user = uniqueName('cnvu');
  removeUsersAtTeardown(t, user, group);
  const dir = tempDir(t, {
    'main.hcl': `
param "group" {}
param "user" {}

user.group "team" {
  name = "{{param \`group\`}}"
}

user.user "member" {
  username  = "{{param \`user\`}}"
  groupname = "{{lookup \`user.group.team.name\`}}"
  name      = "member of {{lookup \`user.group.team.name\`}}"
}

file.content "who" {
  destination = "who.txt"
  content     = "{{lookup \`user.user.member.username\`}} in {{lookup \`user.user.member.groupname\`}} ({{lookup \`user.user.member.state\`}})"
}
`,
  });
  const params = { group, user };
  const applied = await run('apply', dir, 'main.hcl', { params });
  for (const [id, details] of applied.results) t.is(details.error, '', id);
  t.is(getent('passwd', user)?.[3], getent('group', group)?.[2]);
  t.is(fs.readFileSync(path.join(dir, 'who.txt'), 'utf8'), `${user} in ${group} (present)`);
  t.deepEqual(changed((await run('plan', dir, 'main.hcl', { params })).results), []);
});
