/**
 * The `converge` command line. It parses the command line, sets up logging and Ctrl-C handling, and runs one
 * command, whose module is imported only now so that start-up stays cheap. Exit statuses: 0 success,
 * 1 failure, 2 hard stop on a second Ctrl-C, 3 unhealthy (`healthcheck --fail-unhealthy`), 255 usage.
 */
import { isatty } from 'node:tty';
import { parseArgs } from './args.js';
import { COMMANDS, findCommand, GLOBAL_FLAGS, type CommandSpec } from './commands.js';
import { commandHelp, rootHelp } from './help.js';
import { EXIT } from './defaults.js';
import { readConfigFile, locateConfig, type FileValue } from './config-file.js';
import { reportFailure } from './error-report.js';
import { Logger, parseLogFormat, parseLogLevel } from './log.js';
import { ConvergeError, getErrorMessage } from '../errors.js';
import { dropOnBrokenPipe } from './broken-pipe.js';

/** The config file's values for `spec` (empty when the default file is absent). */
function configValues(spec: CommandSpec, argv: readonly string[]): Map<string, FileValue> {
  const { file, explicit } = locateConfig(argv, process.env);
  return readConfigFile(file, explicit, spec, COMMANDS, GLOBAL_FLAGS);
}

function usageFailure(message: string, hint: string): number {
  process.stderr.write(`Error: ${message}\n${hint}\n`);
  return EXIT.usage;
}

/**
 * Global flags may come before the command (`converge -l debug plan m.hcl`), as cobra allowed; they
 * are moved after it. Returns argv unchanged when no command follows them.
 */
function commandFirst(argv: readonly string[]): readonly string[] {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--help' && argv[i] !== '-h' && argv[i] !== '--version') {
    const takesValue = ['-l', '--log-level', '--log-format', '--config'].includes(argv[i]!);
    i += takesValue ? 2 : 1;
  }
  if (i === 0 || i >= argv.length || findCommand(argv[i]!) === undefined) return argv;
  return [argv[i]!, ...argv.slice(0, i), ...argv.slice(i + 1)];
}

/**
 * The command argv[0] names, or the exit status when there is none to run: `converge` alone and
 * `converge help [command]` print help and exit 0, as the original (cobra) did; a flag before any
 * command or an unknown command is a usage error.
 */
function pickCommand(argv: readonly string[]): CommandSpec | number {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const wanted = argv[0] === 'help' && argv[1] !== undefined ? findCommand(argv[1]) : undefined;
    if (argv[0] === 'help' && argv[1] !== undefined && wanted === undefined) {
      return usageFailure(`unknown command "${argv[1]}" for "converge"`, 'Run "converge --help" for usage.');
    }
    process.stdout.write(wanted ? commandHelp(wanted) : rootHelp());
    return EXIT.ok;
  }
  if (argv[0]!.startsWith('-')) {
    return usageFailure(`${argv[0]} must follow a command, as in "converge plan ${argv[0]} ..."`, 'Run "converge --help" for usage.');
  }
  const spec = findCommand(argv[0]!);
  if (!spec) {
    return usageFailure(`unknown command "${argv[0]}" for "converge"`, 'Run "converge --help" for usage.');
  }
  return spec;
}

/** First Ctrl-C: stop scheduling and report what ran. Second: leave now, as the original did. */
function interruptHandler(log: Logger, controller: AbortController): () => void {
  let interrupts = 0;
  return () => {
    interrupts++;
    if (interrupts === 1) {
      log.warn('gracefully shutting down (interrupt again to halt)');
      controller.abort();
    } else {
      log.error('hard stop! System may be left in an incomplete state');
      process.exit(EXIT.interrupted);
    }
  };
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit status. */
export async function main(givenArgv: readonly string[]): Promise<number> {
  const argv = commandFirst(givenArgv);
  if (argv[0] === '--version') return (await import('./commands/version.js')).printVersion();
  const spec = pickCommand(argv);
  if (typeof spec === 'number') return spec;
  const hint = `Run "converge ${spec.name} --help" for usage.`;
  let args;
  try {
    // Help works even with a broken config file.
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    args = parseArgs(argv.slice(1), [...spec.flags, ...GLOBAL_FLAGS], process.env, wantsHelp ? new Map() : configValues(spec, argv.slice(1)));
  } catch (error) {
    if (error instanceof ConvergeError && error.code.startsWith('CNV_ERR_CONFIG_')) {
      process.stderr.write(`Error: ${error.message}\n`);
      return EXIT.failed;
    }
    return usageFailure(getErrorMessage(error), hint);
  }
  if (args.flags['help'] === true) {
    process.stdout.write(commandHelp(spec));
    return EXIT.ok;
  }
  if (args.positionals.length < spec.args.min || args.positionals.length > spec.args.max) {
    return usageFailure(spec.args.message(args.positionals.length), hint);
  }
  const level = parseLogLevel(String(args.flags['log-level']));
  if (level === undefined) return usageFailure(`not a valid log level: "${String(args.flags['log-level'])}"`, hint);

  // isatty(2), not process.stderr.isTTY: the stream costs about 5 ms to build, and a quiet run never writes to it.
  const stderrIsTty = isatty(2);
  const format = parseLogFormat(String(args.flags['log-format']), stderrIsTty);
  if (format === undefined) return usageFailure(`not a valid log format: "${String(args.flags['log-format'])}" (logfmt, terminal or json)`, hint);

  const noColor = args.flags['nocolor'] === true || (process.env['NO_COLOR'] ?? '') !== '';
  const log = new Logger({ level, format, color: format === 'terminal' && stderrIsTty && !noColor });

  const controller = new AbortController();
  const onInterrupt = interruptHandler(log, controller);
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const run = await spec.load();
    return await run({
      name: spec.name,
      args,
      log,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
      // Getters: each process stream is built on first use (3–5 ms each here), and most runs use one or none.
      get stdin() {
        return process.stdin;
      },
      get stdout() {
        return dropOnBrokenPipe(process.stdout);
      },
      get stderr() {
        return process.stderr;
      },
      stderrIsTty,
      noColor,
    });
  } catch (error) {
    if (error instanceof ConvergeError && error.code === 'CNV_ERR_CLI_USAGE') return usageFailure(error.message, hint);
    reportFailure(log, error, { what: `${spec.name} failed`, flags: args.flags, cwd: process.cwd() });
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
