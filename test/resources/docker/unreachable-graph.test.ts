import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { converge } from './run-converge.js';

test('with no engine the docker node fails naming the endpoint, its dependents are skipped, the rest applies', async (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-docker-graph-')));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(
    path.join(dir, 'main.hcl'),
    [
      'docker.volume "data" {',
      '  name = "cnvtest-unreachable"',
      '}',
      '',
      'file.content "independent" {',
      '  destination = "independent.txt"',
      '  content     = "written anyway"',
      '}',
      '',
      'file.content "dependent" {',
      '  destination = "dependent.txt"',
      '  content     = "needs the volume"',
      '  depends     = ["docker.volume.data"]',
      '}',
      '',
    ].join('\n'),
  );
  const socket = path.join(dir, 'no-engine.sock');
  const result = await converge('apply', ['main.hcl'], dir, { DOCKER_HOST: `unix://${socket}` });

  t.is(result.code, 1, result.stderr);
  t.true(
    result.stdout.includes(`* root/docker.volume.data: cannot reach the Docker engine at unix://${socket} (inspect volume cnvtest-unreachable)`),
    result.stdout,
  );
  t.regex(result.stdout, /root\/file\.content\.dependent: error in dependency "root\/docker\.volume\.data"/);
  t.is(fs.readFileSync(path.join(dir, 'independent.txt'), 'utf8'), 'written anyway');
  t.false(fs.existsSync(path.join(dir, 'dependent.txt')));
});
