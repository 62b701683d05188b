/**
 * How failures read (issue 12, "Error UX"): one block with the source line and a caret on the terminal
 * log layout, one FATAL line with a hint in logfmt, "did you mean" for resource types, warnings for
 * undeclared -p names, and advice for a missing param. Client-side advice is in error-hints.test.ts.
 */
import test from 'ava';
import { LOCAL, runCli, scratchDir } from './run-cli.js';

const TERMINAL = ['--log-format', 'terminal'] as const;

test('plan --log-format terminal - a load error is one block: headline, position, source line, caret, code', async (t) => {
  const dir = scratchDir(t, 'typo.hcl');
  const result = await runCli(['plan', ...LOCAL, ...TERMINAL, 'typo.hcl'], dir);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.is(
    result.stderr,
    [
      'Error: I don\'t have a field named "destinaton". Maybe you meant: destination',
      '',
      '  on typo.hcl line 2, column 3:',
      '    2 |   destinaton = "x.txt"',
      '      |   ^',
      '',
      '  (CNV_ERR_FIELD_UNKNOWN)',
      '',
      '',
    ].join('\n'),
  );
});

test('plan --log-format terminal - the caret counts a tab as the excerpt shows it', async (t) => {
  const dir = scratchDir(t, 'tab-typo.hcl');
  const result = await runCli(['plan', ...LOCAL, ...TERMINAL, 'tab-typo.hcl'], dir);
  t.is(result.code, 1);
  t.regex(result.stderr, /\n {2}on tab-typo\.hcl line 2, column 2:\n {4}2 \| {5}destinaton = "x\.txt"\n {6}\| {5}\^\n/);
});

test('plan - in logfmt a load error is one FATAL line and no WARN from the in-process server', async (t) => {
  const dir = scratchDir(t, 'typo.hcl');
  const result = await runCli(['plan', ...LOCAL, 'typo.hcl'], dir);
  t.is(result.code, 1);
  const lines = result.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0]!, /^timestamp="[^"]+" level="FATAL" msg="could not get responses" code="CNV_ERR_FIELD_UNKNOWN" error="typo\.hcl:2:3: /);
});

test('plan -o json - stdout stays JSON lines and stderr stays logfmt', async (t) => {
  const dir = scratchDir(t, 'required-param.hcl');
  const result = await runCli(['plan', ...LOCAL, '-o', 'json', 'required-param.hcl'], dir);
  t.is(result.code, 1);
  const out = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const error = out.find((l) => l['type'] === 'error');
  t.like(error, { code: 'CNV_ERR_PARAM_REQUIRED', message: 'required-param.hcl:1:1: name param is required' });
  t.deepEqual(error?.['hints'], ['pass it on the command line: -p name=… (or --paramsJSON \'{"name": …}\')']);
  for (const line of result.stderr.trimEnd().split('\n')) t.regex(line, /^timestamp="[^"]+" level="[A-Z]+" msg="[^"]*"( [a-zA-Z.]+="(?:[^"\\]|\\.)*")*$/);
});

test('plan, validate - an unknown resource type suggests the closest one', async (t) => {
  const dir = scratchDir(t, 'kind-typo.hcl');
  const plan = await runCli(['plan', ...LOCAL, ...TERMINAL, 'kind-typo.hcl'], dir);
  t.is(plan.code, 1);
  t.true(
    plan.stderr.startsWith(
      [
        'Error: "file.contnt" is not a valid resource type in "file.contnt.greeting". Maybe you meant: file.content',
        '',
        '  on kind-typo.hcl line 3, column 1:',
        '    3 | file.contnt "greeting" {',
        '      | ^',
        '',
      ].join('\n'),
    ),
    plan.stderr,
  );
  const validate = await runCli(['validate', '--nocolor', 'kind-typo.hcl'], dir);
  t.is(validate.code, 1);
  t.regex(validate.stderr, /level="FATAL" msg="module is not valid" code="CNV_ERR_LOAD_RESOURCE_TYPE" error="kind-typo\.hcl:3:1: [^\n]*Maybe you meant: file\.content"/);
});

test('plan, graph - -p of an undeclared param is a warning naming the declared ones; the run goes on', async (t) => {
  const dir = scratchDir(t, 'greeting.hcl');
  const plan = await runCli(['plan', ...LOCAL, '-p', 'nmae=you', '-p', 'other=1', 'greeting.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /Summary: 0 errors, 1 changes/);
  const warnings = plan.stderr.trimEnd().split('\n');
  t.is(warnings.length, 2, plan.stderr);
  t.regex(warnings[0]!, /level="WARN" msg="param \\"nmae\\" from the command line is ignored: greeting\.hcl does not declare it \(its params: name; did you mean \\"name\\"\?\)"/);
  t.regex(warnings[1]!, /level="WARN" msg="param \\"other\\" from the command line is ignored: greeting\.hcl does not declare it \(its params: name\)"/);

  const graph = await runCli(['graph', ...LOCAL, '-p', 'nmae=you', 'greeting.hcl'], dir);
  t.is(graph.code, 0, graph.stderr);
  t.regex(graph.stderr, /level="WARN" msg="param \\"nmae\\" from the command line is ignored/);

  const declared = await runCli(['plan', ...LOCAL, '-p', 'name=you', 'greeting.hcl'], dir);
  t.is(declared.code, 0, declared.stderr);
  t.is(declared.stderr, '');
});

test('plan - a missing top-level param suggests -p name=…, and names a close -p that was given', async (t) => {
  const dir = scratchDir(t, 'required-param.hcl');
  const logfmt = await runCli(['plan', ...LOCAL, 'required-param.hcl'], dir);
  t.is(logfmt.code, 1);
  t.regex(logfmt.stderr, /level="FATAL" [^\n]*error="required-param\.hcl:1:1: name param is required" [^\n]*hint="pass it on the command line: -p name=…/);

  const block = await runCli(['plan', ...LOCAL, ...TERMINAL, '-p', 'nmae=you', 'required-param.hcl'], dir);
  t.is(block.code, 1);
  t.regex(block.stderr, /^Error: name param is required\n\n {2}on required-param\.hcl line 1, column 1:\n {4}1 \| param "name" \{\}\n/);
  t.regex(block.stderr, /\n {2}Hint: pass it on the command line: -p name=… \(or --paramsJSON '\{"name": …\}'\)\n {2}Hint: -p nmae was given: did you mean -p name\?\n/);
  t.regex(block.stderr, /\(CNV_ERR_PARAM_REQUIRED\)\n\n$/);
});

test('plan - bad -p values are one block each on the terminal, ERROR lines then one FATAL in logfmt', async (t) => {
  const dir = scratchDir(t, 'greeting.hcl');
  const args = ['plan', ...LOCAL, '-p', 'oops', '-p', 'a=1', '-p', 'a=2', 'greeting.hcl'];
  const block = await runCli([...args, ...TERMINAL], dir);
  t.is(block.code, 1);
  t.is(
    block.stderr,
    'Error: malformed parameter: oops\n\n  Hint: write each param as -p name=value\n\n  (CNV_ERR_PARAM_MALFORMED)\n\n' +
      'Error: duplicate entry: found a=1 and a=2\n\n  (CNV_ERR_PARAM_MALFORMED)\n\n',
  );
  const logfmt = await runCli(args, dir);
  t.is(logfmt.code, 1);
  t.deepEqual(
    logfmt.stderr.trimEnd().split('\n').map((line) => /level="([A-Z]+)"/.exec(line)?.[1]),
    ['ERROR', 'ERROR', 'FATAL'],
  );
});
