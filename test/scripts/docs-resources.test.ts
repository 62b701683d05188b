import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { docsPath, registeredDefinitions, renderResourceDocs } from '../../scripts/docs-resources.js';
import { ROOT } from '../resources/system-helpers.js';

test('docs/resources.md is generated from the registry and up to date (npm run docs:resources)', (t) => {
  t.is(docsPath(), path.join(ROOT, 'docs/resources.md'));
  const committed = fs.readFileSync(docsPath(), 'utf8');
  t.is(committed, renderResourceDocs(registeredDefinitions()), 'run `npm run docs:resources` and commit docs/resources.md');
});

test('every registered kind and every one of its fields is described', (t) => {
  const text = renderResourceDocs(registeredDefinitions());
  for (const def of registeredDefinitions()) {
    t.true(text.includes(`## \`${def.kind}\``), def.kind);
    for (const field of def.fields) t.true(text.includes(`| \`${field.name}\` |`), `${def.kind}.${field.name}`);
  }
  t.true(text.includes('At most one of `gid`, `groupname` may be set.'));
});

test('the generator output changes when a definition changes', (t) => {
  const defs = registeredDefinitions();
  const altered = defs.map((d) => (d.kind === 'unarchive' ? { ...d, doc: 'changed' } : d));
  t.not(renderResourceDocs(altered), renderResourceDocs(defs));
});
