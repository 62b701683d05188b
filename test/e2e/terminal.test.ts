import { spawn } from 'node:child_process';
import test from 'ava';
import { BIN, scratchDir } from './run-cli.js';

/** Runs the CLI under a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs. */
function runInTerminal(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const command = [BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd, TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(out).toString('utf8') }));
  });
}

const LOCAL = ['plan', '--local', '--local-addr', '127.0.0.1:0', 'two.hcl'];

test('on a terminal - ids, yes, keys, diffs and the summary are coloured', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const { code, output } = await runInTerminal(LOCAL, dir, {});
  t.is(code, 0, output);
  t.true(output.includes('\x1b[33mroot/file.content.greeting\x1b[0m:'));
  t.true(output.includes('Has Changes: \x1b[33myes\x1b[0m'));
  t.true(output.includes('\x1b[36mgreeting.txt\x1b[0m: \x1b[1m"<file-missing>"'));
  t.true(output.includes('\x1b[32mSummary\x1b[0m: 0 errors, 2 changes'));
});

test('on a terminal - NO_COLOR and --nocolor turn colour off', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const viaEnv = await runInTerminal(LOCAL, dir, { NO_COLOR: '1' });
  t.is(viaEnv.code, 0, viaEnv.output);
  t.true(viaEnv.output.includes('Summary: 0 errors, 2 changes'));
  t.false(viaEnv.output.includes('\x1b[3'));
  const viaFlag = await runInTerminal([...LOCAL, '--nocolor'], dir, {});
  t.false(viaFlag.output.includes('\x1b[3'));
});

test('on a terminal - live progress names the running node on stderr, then is erased', async (t) => {
  const dir = scratchDir(t, 'slow.hcl');
  const { code, output } = await runInTerminal(['plan', '--local', '--local-addr', '127.0.0.1:0', 'slow.hcl'], dir, {});
  t.is(code, 0, output);
  t.regex(output, /plan: 0\/\d+ nodes done; running root\/task\.slow \(\d+s\)/);
  // The last progress drawing is erased before the report is printed.
  const lastErase = output.lastIndexOf('\r\x1b[2K');
  t.true(lastErase >= 0 && lastErase < output.indexOf('root/task.slow:'));
});

test('on a terminal - a load error is the error block by default, coloured, with no log lines', async (t) => {
  const dir = scratchDir(t, 'typo.hcl');
  const { code, output } = await runInTerminal(['plan', '--local', '--local-addr', '127.0.0.1:0', 'typo.hcl'], dir, {});
  t.is(code, 1, output);
  // The progress line may show first; the block follows its erase.
  // eslint-disable-next-line no-control-regex
  t.regex(output, /(^|\x1b\[2K)\x1b\[1m\x1b\[31mError\x1b\[0m\x1b\[0m\x1b\[1m:\x1b\[0m \x1b\[1mI don't have a field named "destinaton"/);
  t.true(output.includes('\x1b[31m^\x1b[0m'));
  t.false(output.includes('|FATAL|'));
  t.false(output.includes('|WARN|'));
});
