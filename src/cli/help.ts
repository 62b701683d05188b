/**
 * Help text: `converge --help` (also `converge` alone, which exits 0 as the original did) and
 * `converge <command> --help`, with each command's examples, exit codes and notes. Kept apart from the
 * command table so that adding a flag and adding an example do not touch the same lines.
 */
import { formatFlagHelp } from './args.js';
import { COMMANDS, GLOBAL_FLAGS, type CommandSpec } from './commands.js';

interface CommandHelp {
  readonly examples: readonly string[];
  readonly exitCodes: readonly string[];
  readonly notes?: readonly string[];
}

const JOB_EXIT = ['0  success (a plan with changes pending included)', '1  a node failed, or the module could not be loaded, or the RPC call failed'];
const USAGE_EXIT = '255  usage error (unknown flag, wrong number of arguments)';
const REMOTE_NOTES = [
  'Without --local, module paths and relative paths inside modules resolve on the server, against its',
  'own directory, and resources change the server machine. With --upload the module and the local',
  'modules it includes are sent from this machine (up to 4 MiB; includes must lie under the module\'s',
  'directory; http(s) includes are still fetched by the server).',
];

const HELP: Readonly<Record<string, CommandHelp>> = {
  plan: {
    examples: [
      'converge plan --local m.hcl                          # run here, in a server started for this command',
      'converge plan --local -p name=you m.hcl              # with a param for the top-level module',
      'converge plan --rpc-addr host:4774 --rpc-token "$T" m.hcl   # m.hcl as the server sees it',
      'converge plan --rpc-addr host:4774 --rpc-token "$T" --upload m.hcl   # m.hcl and its includes from here',
      'converge plan --local -out plan.cvg m.hcl            # save a signed plan to apply later',
      'converge plan --local --detailed-exitcode m.hcl      # exit 2 when changes are pending',
    ],
    exitCodes: [...JOB_EXIT, '2  with --detailed-exitcode: changes are pending; without it: interrupted twice (hard stop)', USAGE_EXIT],
    notes: REMOTE_NOTES,
  },
  apply: {
    examples: [
      'converge apply --local m.hcl',
      'converge apply --local --only-show-changes -p name=you m.hcl',
      'converge apply --local plan.cvg                      # apply a saved plan; drifted nodes are left alone',
      'converge apply --rpc-addr host:4774 --upload m.hcl   # send m.hcl and the local modules it includes',
    ],
    exitCodes: [...JOB_EXIT, '2  interrupted twice (hard stop; the first Ctrl-C lets running nodes finish)', USAGE_EXIT],
    notes: REMOTE_NOTES,
  },
  healthcheck: {
    examples: [
      'converge healthcheck --local m.hcl',
      'converge healthcheck --local --quiet --fail-unhealthy m.hcl   # one line per unhealthy node; exit 3',
      'converge healthcheck --rpc-addr host:4774 --upload m.hcl     # check the modules of this machine there',
    ],
    exitCodes: [
      '0  checks ran (unhealthy ones included, unless --fail-unhealthy)',
      '1  the module could not be loaded or the RPC call failed',
      '3  a check is not healthy and --fail-unhealthy is set',
      USAGE_EXIT,
    ],
    notes: REMOTE_NOTES,
  },
  graph: {
    examples: [
      'converge graph --local m.hcl | dot -Tsvg > m.svg',
      'converge graph --local --show-params m.hcl',
      'converge graph --rpc-addr host:4774 --upload m.hcl',
    ],
    exitCodes: ['0  the graph was printed', '1  the module could not be loaded or the RPC call failed', USAGE_EXIT],
    notes: REMOTE_NOTES,
  },
  validate: {
    examples: ['converge validate m.hcl', 'converge validate -p name=you a.hcl b.hcl'],
    exitCodes: ['0  every module is valid', '1  a module has a syntax, dependency, field or param error', USAGE_EXIT],
    notes: ['Runs in this process (no server); paths are local.'],
  },
  show: {
    examples: ['converge show plan.cvg', 'converge show --output json plan.cvg | jq .'],
    exitCodes: ['0  the plan was printed', '1  the file is not a readable plan file', USAGE_EXIT],
    notes: ['Reads the file here; no server is asked, so the signature is checked only when it is applied.'],
  },
  fmt: {
    examples: [
      'converge fmt m.hcl                 # rewrite in place, keeping the file mode',
      'converge fmt --check *.hcl         # list the files that need formatting',
      'converge fmt --diff m.hcl          # show what would change',
      'converge fmt - < m.hcl > out.hcl   # stdin to stdout',
    ],
    exitCodes: ['0  done (with --check: every file is formatted)', '1  with --check: a file needs formatting; or a file could not be read or parsed', USAGE_EXIT],
  },
  server: {
    examples: [
      'converge server --rpc-token "$TOKEN" --root ./modules',
      'converge server --use-ssl --cert-file s.crt --key-file s.key --ca-file ca.crt --rpc-token "$TOKEN"',
    ],
    exitCodes: ['0  stopped by SIGTERM or Ctrl-C after running jobs finished', '1  could not start (address in use, bad TLS files, bad root)', USAGE_EXIT],
    notes: ['Module paths that clients send resolve against this server\'s working directory.'],
  },
  runs: {
    examples: [
      'converge runs --rpc-addr host:4774 --rpc-token "$TOKEN"',
      'converge runs --kind apply --since 24h --rpc-addr host:4774 --rpc-token "$TOKEN"',
      'converge runs -o json --outcome failed --rpc-addr host:4774 --rpc-token "$TOKEN"',
      'converge runs show 12-9f3a0c1b --rpc-addr host:4774 --rpc-token "$TOKEN"',
    ],
    exitCodes: [
      '0  the runs were listed; with show: the run succeeded',
      '1  the server refused the filters or could not be reached; with show: the run failed, or no such run (CNV_ERR_RUN_NOT_FOUND)',
      USAGE_EXIT,
    ],
    notes: [
      'runs show prints a run with the report plan and apply print, from the events the server kept; on a',
      'run still going it waits for the end. --local is refused: an in-process server has no history.',
    ],
  },
  attach: {
    examples: ['converge attach 12-9f3a0c1b --rpc-addr host:4774 --rpc-token "$TOKEN"', 'converge attach -o json 12-9f3a0c1b --rpc-addr host:4774'],
    exitCodes: ['0  the run succeeded', '1  the run failed or was cancelled, no such run (CNV_ERR_RUN_NOT_FOUND), or the server could not be reached', USAGE_EXIT],
    notes: [
      'Replays what the run did so far, then follows it live; on a finished run it prints it and exits.',
      'Ctrl-C stops following; the run goes on on the server. A dropped connection is followed again (5 tries).',
    ],
  },
  ping: {
    examples: ['converge ping --rpc-addr host:4774 --rpc-token "$TOKEN"'],
    exitCodes: ['0  the server answered (prints pong)', '1  it did not (unreachable, refused token, TLS failure)', USAGE_EXIT],
  },
  version: {
    examples: ['converge version', 'converge --version'],
    exitCodes: ['0  always'],
  },
};

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', `${title}:`, ...lines.map((l) => `  ${l}`)];
}

export function rootHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    'Converge: configuration management with HCL modules of resources.',
    '',
    'Usage:',
    '  converge <command> [flags] [arguments]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    ...section('Examples', [
      'converge apply --local examples/hello.hcl      # converge a module on this machine',
      'converge server --rpc-token "$TOKEN"           # serve plan/apply to remote clients',
      'converge plan --rpc-addr host:4774 m.hcl       # m.hcl is resolved on the server',
      'converge plan --rpc-addr host:4774 --upload m.hcl   # m.hcl and its local includes are sent',
    ]),
    '',
    'Global flags:',
    formatFlagHelp(GLOBAL_FLAGS),
    '      --version         print the version and exit',
    '',
    'Run "converge <command> --help" for a command\'s flags, examples and exit codes. Flags also read',
    'CONVERGE_<FLAG> from the environment (CONVERGE_LOCAL=1, CONVERGE_RPC_TOKEN=..., CONVERGE_LOG_LEVEL=debug),',
    'except -p and --paramsJSON. plan, apply, healthcheck and graph run on a server: without --local,',
    'module paths resolve on the server (--upload sends the local module and its local includes).',
    '',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const help = HELP[spec.name];
  return [
    spec.summary,
    '',
    'Usage:',
    `  ${spec.usage}`,
    ...(spec.aliases ? ['', `Aliases: ${[spec.name, ...spec.aliases].join(', ')}`] : []),
    ...section('Examples', help?.examples ?? []),
    ...(spec.flags.length > 0 ? ['', 'Flags:', formatFlagHelp(spec.flags)] : []),
    '',
    'Global flags:',
    formatFlagHelp(GLOBAL_FLAGS),
    ...section('Exit codes', help?.exitCodes ?? []),
    ...(help?.notes ? ['', ...help.notes] : []),
    '',
  ].join('\n');
}

/** Commands whose help is missing examples or exit codes (a test keeps this empty). */
export function commandsWithoutHelp(): string[] {
  return COMMANDS.filter((c) => (HELP[c.name]?.examples.length ?? 0) === 0 || (HELP[c.name]?.exitCodes.length ?? 0) === 0).map((c) => c.name);
}
