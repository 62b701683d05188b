/**
 * The command table: every subcommand, its flags and argument rules (the original's commands, plus ours).
 * Command bodies live in commands/<name>.ts and are imported only when their command runs, which keeps
 * `converge version` and the start of every other command fast.
 */
import type { FlagSpec } from './args.js';
import type { CommandContext } from './command-context.js';
import { DEFAULT_CONFIG_FILE } from './config-file.js';
import { DETAILED_EXITCODE_FLAG, OUTPUT_FLAG } from './output-flags.js';
import { SERVER_LIMIT_FLAGS } from './server-limit-flags.js';
import { PLAN_OUT_FLAG, PLAN_SERVER_FLAGS } from './saved-plan-flags.js';
import { SERVER_GUARD_FLAGS } from './server-guard-flags.js';
import { SERVER_LOAD_FLAGS } from './server-load-flags.js';
import { SERVER_METRICS_FLAGS } from './server-metrics-flags.js';
import { SERVER_SCHEDULE_FLAGS } from './server-schedule-flags.js';
import { SERVER_STORE_FLAGS } from './server-store-flags.js';
import { DEFAULT_LOCAL_ADDR, DEFAULT_PARALLELISM, DEFAULT_RPC_ADDR, DEFAULT_SERVER_ADDR } from './defaults.js';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', default: DEFAULT_CONFIG_FILE, valueName: 'file', description: 'YAML file of flag values (flags and CONVERGE_* win over it; the default may be absent)' },
  { name: 'log-level', short: 'l', type: 'string', default: 'INFO', valueName: 'level', description: 'log level: debug, info, warn, error or fatal' },
  { name: 'log-format', type: 'string', default: 'auto', valueName: 'format', description: 'log lines as logfmt, terminal or json (auto: terminal on a TTY, logfmt otherwise)' },
  { name: 'nocolor', short: 'n', type: 'bool', description: 'no colour in output and logs (also NO_COLOR)' },
  { name: 'help', short: 'h', type: 'bool', env: false, description: 'help for this command' },
];

const RPC_FLAGS: readonly FlagSpec[] = [
  { name: 'rpc-token', type: 'string', valueName: 'token', description: 'token for RPC (the HS512 key)' },
  { name: 'no-token', type: 'bool', description: "don't use or generate an RPC token" },
  { name: 'rpc-key-name', type: 'string', valueName: 'name', description: "sign with a named client key: --rpc-token is that key, and this its name in the server's --rpc-keys file" },
  { name: 'rpc-addr', type: 'string', default: DEFAULT_RPC_ADDR, valueName: 'host:port', description: 'address of the RPC server' },
];

const LOCAL_FLAGS: readonly FlagSpec[] = [
  { name: 'local', type: 'bool', description: 'run a server in this process for this command (also CONVERGE_LOCAL=1)' },
  { name: 'local-addr', type: 'string', default: DEFAULT_LOCAL_ADDR, valueName: 'host:port', description: 'address of the in-process server' },
];

const UPLOAD_FLAG: FlagSpec = {
  name: 'upload',
  type: 'bool',
  description: "send the module and the local modules it includes with the request, instead of the server reading its own files",
};

const CLIENT_SSL_FLAGS: readonly FlagSpec[] = [
  { name: 'use-ssl', type: 'bool', description: 'use TLS for RPC' },
  { name: 'ca-file', type: 'string', valueName: 'file', description: 'CA certificate that the server certificate must chain to' },
];

const SSL_FLAGS: readonly FlagSpec[] = [
  ...CLIENT_SSL_FLAGS,
  { name: 'cert-file', type: 'string', valueName: 'file', description: 'certificate (server, and --local)' },
  { name: 'key-file', type: 'string', valueName: 'file', description: 'private key (server, and --local)' },
];

const PARAM_FLAGS: readonly FlagSpec[] = [
  { name: 'params', short: 'p', type: 'list', env: false, commaSplit: true, valueName: 'key=value', description: 'param for the top-level module; repeatable, comma-separated' },
  { name: 'paramsJSON', type: 'string', env: false, valueName: 'json', description: 'params for the top-level module as a JSON object (lists and maps keep their types)' },
];

const JOB_FLAGS: readonly FlagSpec[] = [
  { name: 'parallelism', type: 'int', default: DEFAULT_PARALLELISM, valueName: 'n', description: 'nodes checked or applied at once (with --local; a remote server uses its own: converge server --parallelism)' },
  { name: 'verify-modules', type: 'bool', description: 'verify module signatures (not supported; refused)' },
];

const REPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'show-meta', type: 'bool', description: 'show param, module and root nodes too' },
  { name: 'only-show-changes', type: 'bool', description: 'show only nodes that have changes' },
];

/** Commands that read a server's runs: plan's connection flags, and --local only to refuse it. */
const REMOTE_ONLY_FLAGS: readonly FlagSpec[] = [
  { name: 'local', type: 'bool', description: 'refused: an in-process server has no history' },
  ...RPC_FLAGS,
  ...CLIENT_SSL_FLAGS,
];

export type { CommandContext } from './command-context.js';

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Allowed number of positional arguments, and the message when the count is wrong. */
  readonly args: { readonly min: number; readonly max: number; readonly message: (got: number) => string };
  readonly load: () => Promise<(ctx: CommandContext) => Promise<number>>;
}

const atLeastOneModule = {
  min: 1,
  max: Number.POSITIVE_INFINITY,
  message: (got: number) => `Need at least one module filename as argument, got ${got}`,
};
const none = { min: 0, max: 0, message: (got: number) => `this command takes no arguments, got ${got}` };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'plan',
    summary: 'plan what needs to change in the system',
    usage: 'converge plan [flags] <module>...',
    flags: [OUTPUT_FLAG, DETAILED_EXITCODE_FLAG, PLAN_OUT_FLAG, ...REPORT_FLAGS, ...JOB_FLAGS, ...PARAM_FLAGS, UPLOAD_FLAG, ...LOCAL_FLAGS, ...PLAN_SERVER_FLAGS, ...RPC_FLAGS, ...SSL_FLAGS],
    args: atLeastOneModule,
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'apply',
    summary: 'apply what needs to change in the system',
    usage: 'converge apply [flags] <module>... | converge apply [flags] <plan.cvg>',
    flags: [OUTPUT_FLAG, ...REPORT_FLAGS, ...JOB_FLAGS, ...PARAM_FLAGS, UPLOAD_FLAG, ...LOCAL_FLAGS, ...PLAN_SERVER_FLAGS, ...RPC_FLAGS, ...SSL_FLAGS],
    args: atLeastOneModule,
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'healthcheck',
    summary: 'check the health of the resources in modules',
    usage: 'converge healthcheck [flags] <module>...',
    flags: [
      { name: 'quiet', type: 'bool', description: 'one line per unhealthy node instead of full blocks' },
      { name: 'fail-unhealthy', type: 'bool', description: 'exit 3 when any check is not healthy' },
      OUTPUT_FLAG,
      DETAILED_EXITCODE_FLAG,
      ...JOB_FLAGS,
      ...PARAM_FLAGS,
      UPLOAD_FLAG,
      ...LOCAL_FLAGS,
      ...RPC_FLAGS,
      ...SSL_FLAGS,
    ],
    args: atLeastOneModule,
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'graph',
    summary: 'graph the execution of a module as Graphviz dot',
    usage: 'converge graph [flags] <module>',
    flags: [
      { name: 'show-params', type: 'bool', description: 'show params in the graph' },
      OUTPUT_FLAG,
      ...PARAM_FLAGS,
      UPLOAD_FLAG,
      ...LOCAL_FLAGS,
      ...RPC_FLAGS,
      ...SSL_FLAGS,
    ],
    args: { min: 1, max: 1, message: (got) => `Need one module filename as argument, got ${got}` },
    load: async () => (await import('./commands/graph.js')).graphCommand,
  },
  {
    name: 'validate',
    summary: 'validate modules (syntax, dependencies, fields and params) without running them',
    usage: 'converge validate [flags] <module>...',
    flags: [OUTPUT_FLAG, ...PARAM_FLAGS, { name: 'verify-modules', type: 'bool', description: 'verify module signatures (not supported; refused)' }],
    args: atLeastOneModule,
    load: async () => (await import('./commands/validate.js')).validateCommand,
  },
  {
    name: 'show',
    summary: 'print a saved plan file (from plan -out)',
    usage: 'converge show [flags] <plan.cvg>',
    flags: [OUTPUT_FLAG, ...REPORT_FLAGS],
    args: { min: 1, max: 1, message: (got) => `Need one plan file as argument, got ${got}` },
    load: async () => (await import('./commands/show.js')).showCommand,
  },
  {
    name: 'fmt',
    summary: 'format module files',
    usage: 'converge fmt [flags] <file>... (a file "-" is stdin, formatted to stdout)',
    flags: [
      { name: 'check', type: 'bool', description: 'list the files that need formatting and exit 1 if any; write nothing' },
      { name: 'diff', type: 'bool', description: 'print what would change as a unified diff; write nothing' },
    ],
    args: { min: 1, max: Number.POSITIVE_INFINITY, message: (got) => `Need at least one file as argument, got ${got}` },
    load: async () => (await import('./commands/fmt.js')).fmtCommand,
  },
  {
    name: 'server',
    aliases: ['serve'],
    summary: 'serve plan, apply, healthcheck and graph over gRPC and HTTP',
    usage: 'converge server [flags]',
    flags: [
      { name: 'root', type: 'string', valueName: 'dir', description: 'serve modules from this directory (off when unset)' },
      { name: 'self-serve', type: 'bool', description: 'serve the converge binary for bootstrapping' },
      ...RPC_FLAGS.filter((f) => f.name !== 'rpc-key-name').map((f) => (f.name === 'rpc-addr' ? { ...f, default: DEFAULT_SERVER_ADDR, description: 'address to listen on' } : f)),
      { name: 'rpc-keys', type: 'string', valueName: 'file', description: 'named client keys, "name key" a line; a JWT picks one by kid (SIGHUP re-reads the file)' },
      ...SSL_FLAGS,
      ...SERVER_LOAD_FLAGS,
      ...SERVER_GUARD_FLAGS,
      ...SERVER_STORE_FLAGS,
      ...SERVER_METRICS_FLAGS,
      ...SERVER_SCHEDULE_FLAGS,
      ...SERVER_LIMIT_FLAGS,
      ...PLAN_SERVER_FLAGS,
    ],
    args: none,
    load: async () => (await import('./commands/server.js')).serverCommand,
  },
  {
    name: 'runs',
    summary: "list a server's runs (history and live), newest first; runs show ID prints one",
    usage: 'converge runs [flags] | converge runs show [flags] <id>',
    flags: [
      { name: 'kind', type: 'string', valueName: 'kind', description: 'only runs of this kind: plan, apply, healthcheck or graph' },
      { name: 'outcome', type: 'string', valueName: 'outcome', description: 'only runs with this outcome (ok, failed, cancelled, interrupted, running, ...)' },
      { name: 'since', type: 'string', valueName: 'when', description: 'only runs queued since this duration ago (24h) or RFC 3339 time' },
      { name: 'module', type: 'string', valueName: 'text', description: 'only runs whose module location contains this text' },
      { name: 'limit', type: 'int', default: 50, valueName: 'n', description: 'at most this many runs' },
      OUTPUT_FLAG,
      ...REPORT_FLAGS,
      ...REMOTE_ONLY_FLAGS,
    ],
    args: { min: 0, max: 2, message: (got) => `runs takes no arguments, or "show ID"; got ${got} arguments` },
    load: async () => (await import('./commands/runs.js')).runsCommand,
  },
  {
    name: 'attach',
    summary: 'follow a run on a server (what it did so far, then live) and print it as plan or apply would',
    usage: 'converge attach [flags] <id>',
    flags: [OUTPUT_FLAG, ...REPORT_FLAGS, ...REMOTE_ONLY_FLAGS],
    args: { min: 1, max: 1, message: (got) => `Need one run id as argument, got ${got}` },
    load: async () => (await import('./commands/attach.js')).attachCommand,
  },
  {
    name: 'ping',
    summary: 'check that a server answers',
    usage: 'converge ping [flags]',
    flags: [...RPC_FLAGS, ...CLIENT_SSL_FLAGS],
    args: none,
    load: async () => (await import('./commands/ping.js')).pingCommand,
  },
  {
    name: 'version',
    summary: 'print the version',
    usage: 'converge version',
    flags: [],
    args: none,
    load: async () => (await import('./commands/version.js')).versionCommand,
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}
