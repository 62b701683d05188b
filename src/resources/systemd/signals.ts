/**
 * Signal names and numbers for signal_name / signal_number: Linux's numbering (signal(7)) for 1-31,
 * since KillUnit sends the number to processes on this machine.
 */

const LINUX_SIGNALS: readonly string[] = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];

/** Other names of the same numbers. */
const ALIASES: Readonly<Record<string, number>> = { SIGIOT: 6, SIGPOLL: 29, SIGCLD: 17 };

export interface Signal {
  readonly name: string;
  readonly number: number;
}

/** `usr1`, `USR1`, `SIGUSR1` and `sigusr1` all name SIGUSR1; undefined for anything else. */
export function signalByName(name: string): Signal | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const number = LINUX_SIGNALS.indexOf(full);
  if (number > 0) return { name: full, number };
  const alias = ALIASES[full];
  return alias === undefined ? undefined : { name: LINUX_SIGNALS[alias] as string, number: alias };
}

/** 1..31; undefined outside. */
export function signalByNumber(number: number): Signal | undefined {
  if (!Number.isInteger(number) || number < 1 || number >= LINUX_SIGNALS.length) return undefined;
  return { name: LINUX_SIGNALS[number] as string, number };
}
