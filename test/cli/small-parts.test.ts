import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { commandsWithoutHelp } from '../../src/cli/help.js';
import { parseHostPort, formatHostPort } from '../../src/cli/address.js';
import { JobResults, countVertices } from '../../src/cli/job-results.js';
import { Logger, parseLogLevel } from '../../src/cli/log.js';
import { ProgressLine } from '../../src/cli/progress.js';
import { loadRequestFor } from '../../src/cli/runner.js';
import { VERSION } from '../../src/cli/version.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('VERSION - matches package.json', (t) => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.is(VERSION, pkg.version);
});

test('parseHostPort() - the original forms', (t) => {
  t.deepEqual(parseHostPort(':4774', '--rpc-addr', '127.0.0.1'), { host: '127.0.0.1', port: 4774 });
  t.deepEqual(parseHostPort('10.0.0.1:1', '--rpc-addr', 'x'), { host: '10.0.0.1', port: 1 });
  t.deepEqual(parseHostPort('[::1]:47740', '--local-addr', 'x'), { host: '::1', port: 47740 });
  t.is(formatHostPort({ host: '::1', port: 5 }), '[::1]:5');
  t.throws(() => parseHostPort('4774', '--rpc-addr', 'x'), { code: 'CNV_ERR_CLI_USAGE' });
  t.throws(() => parseHostPort('h:99999', '--rpc-addr', 'x'), { code: 'CNV_ERR_CLI_USAGE' });
});

test('Logger - logfmt lines with sorted, quoted fields and a level filter', (t) => {
  const lines: string[] = [];
  const log = new Logger({ level: 'info', write: (l) => lines.push(l) }).child({ file: 'a "b".hcl' });
  log.debug('hidden');
  log.warn('careful', { zeta: 1, alpha: 'x\\y' });
  t.is(lines.length, 1);
  t.regex(lines[0]!, /^timestamp="[^"]+Z" level="WARN" msg="careful" alpha="x\\\\y" file="a \\"b\\".hcl" zeta="1"\n$/);
  t.is(parseLogLevel('WARNING'), 'warn');
  t.is(parseLogLevel('Debug'), 'debug');
  t.is(parseLogLevel('loud'), undefined);
});

test('JobResults - keeps the last status per pass and counts progress', (t) => {
  const results = new JobResults(2);
  results.accept({ type: 'edges', edges: [{ source: 'root', dest: 'root/task.a', attributes: ['parent'] }] });
  t.is(countVertices([]), 1);
  const details = { messages: [], changes: {}, hasChanges: true, error: '', warning: '' };
  results.accept({
    type: 'events',
    events: [
      { id: 'root/task.a', stage: 'PLAN', run: 'STARTED', pass: 0 },
      { id: 'root/task.a', stage: 'PLAN', run: 'FINISHED', pass: 0, details },
      { id: 'root/task.a', stage: 'PLAN', run: 'STARTED', pass: 1 },
    ],
  });
  const progress = results.progress();
  t.is(progress.done, 1);
  t.is(progress.total, 4);
  t.deepEqual(progress.running.map((r) => r.id), ['root/task.a']);
  t.deepEqual(results.results(0), [{ id: 'root/task.a', details }]);
  t.deepEqual(results.results(1), []);
  const line = new ProgressLine(process.stderr, results, 'healthcheck').text();
  t.regex(line, /^healthcheck: 1\/4 nodes done; running root\/task\.a \(\d+s\)$/);
});

test('ProgressLine - before the walk, a loading report shows files read and nodes declared, then rendered', (t) => {
  const results = new JobResults(1);
  const line = new ProgressLine(process.stderr, results, 'plan');
  t.is(line.text(), 'plan: 0/? nodes done');
  const drawn: string[] = [];
  const stream = { columns: 200, write: (text: string) => drawn.push(text) } as unknown as NodeJS.WriteStream;
  const live = new ProgressLine(stream, results, 'plan');
  live.loading({ files: 1, nodes: 500, rendered: 0 });
  live.loading({ files: 3, nodes: 2000, rendered: 750 });
  t.deepEqual(drawn, ['\r\x1b[2Kplan: loading: 1 file read, 500 nodes declared', '\r\x1b[2Kplan: loading: 3 files read, 750/2000 nodes rendered']);
  results.accept({ type: 'edges', edges: [{ source: 'root', dest: 'root/task.a', attributes: ['parent'] }] });
  t.is(live.text(), 'plan: 0/2 nodes done');
});

test('loadRequestFor() - string params go as the original sends them, typed ones as JSON', (t) => {
  const request = loadRequestFor({ kind: 'plan', location: 'x.hcl', params: { a: '1', list: ['x'] }, cwd: '/', parallelism: 1 });
  t.deepEqual(request, { location: 'x.hcl', params: { a: '1' }, paramsJson: { list: ['x'] } });
});

test('commandsWithoutHelp() - every command has examples and exit codes in its --help', (t) => {
  t.deepEqual(commandsWithoutHelp(), []);
});
