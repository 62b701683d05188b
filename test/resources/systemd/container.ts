/**
 * The systemd container of scripts/systemd-test-env.sh, seen from the tests: commands run in it with
 * `podman exec`, and converge runs there against the real systemd (PID 1 of the container).
 */
import { execFile } from 'node:child_process';

const CONTAINER = process.env['CONVERGE_SYSTEMD_CONTAINER'];
const PROJECT = process.env['CONVERGE_SYSTEMD_PROJECT'];

/** Nothing the tests run in the container should take longer than this. */
const EXEC_TIMEOUT_MS = 90_000;

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why the suite cannot run, or undefined when the env file was loaded. */
export function missingEnvironment(): string | undefined {
  if (CONTAINER === undefined || PROJECT === undefined) {
    return 'CONVERGE_SYSTEMD_CONTAINER is not set: run `bash scripts/systemd-test-env.sh start` and load the env file it prints';
  }
  return undefined;
}

/** Runs a command in the container; `input` goes to its stdin. Never rejects on a non-zero exit. */
export function exec(args: readonly string[], input?: string, cwd = '/'): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'podman',
      ['exec', '-i', '-w', cwd, CONTAINER as string, ...args],
      { timeout: EXEC_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        if (error !== null && code === -1) {
          reject(new Error(`podman exec ${args.join(' ')}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** Writes a file in the container. */
export async function writeFile(path: string, content: string): Promise<void> {
  const result = await exec(['sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1"', 'sh', path], content);
  if (result.code !== 0) throw new Error(`writing ${path} in the container: ${result.stderr}`);
}

/** Reads a file in the container; empty when it does not exist. */
export async function readFile(path: string): Promise<string> {
  const result = await exec(['cat', path]);
  return result.code === 0 ? result.stdout : '';
}

/**
 * Installs unit files under /etc/systemd/system and reloads systemd, as an administrator would. A unit
 * of that name an earlier run left is stopped and disabled first, and the /tmp/<name>.* files its
 * commands write are removed, so a rerun on the same container starts from the same place.
 */
export async function installUnits(units: Readonly<Record<string, string>>): Promise<void> {
  for (const name of Object.keys(units)) {
    const base = name.slice(0, name.lastIndexOf('.'));
    await exec(['sh', '-c', 'systemctl stop "$1"; systemctl disable "$1"; systemctl reset-failed "$1"; rm -f /tmp/"$2".*', 'sh', name, base]);
  }
  for (const [name, text] of Object.entries(units)) await writeFile(`/etc/systemd/system/${name}`, text);
  const reload = await exec(['systemctl', 'daemon-reload']);
  if (reload.code !== 0) throw new Error(`daemon-reload: ${reload.stderr}`);
}

/** One property of a unit as systemctl shows it (for checking what converge did, not for converge). */
export async function unitProperty(unit: string, property: string): Promise<string> {
  const result = await exec(['systemctl', 'show', '-p', property, '--value', unit]);
  return result.stdout.trim();
}

export interface NodeEvent {
  readonly id: string;
  readonly phase: string;
  readonly status?: string;
  readonly hasChanges?: boolean;
  readonly changes?: Record<string, { original: string; current: string }>;
  readonly messages?: string[];
  readonly error?: string;
}

export interface ConvergeRun extends ExecResult {
  /** The finished node events of `-o json`, by node id. */
  readonly nodes: ReadonlyMap<string, NodeEvent>;
  readonly summary: { ok: boolean; errors: number; changes: number } | undefined;
}

/** Writes `module` to /work/<name>.hcl in the container and runs `converge <command> --local -o json` on it. */
export async function converge(command: 'plan' | 'apply', name: string, module: string): Promise<ConvergeRun> {
  const file = `/work/${name}.hcl`;
  await writeFile(file, module);
  const result = await exec([`${PROJECT as string}/bin/converge`, command, '--local', '-o', 'json', file], undefined, '/work');
  const nodes = new Map<string, NodeEvent>();
  let summary: ConvergeRun['summary'];
  for (const line of result.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type: string } & NodeEvent & ConvergeRun['summary'];
    if (event.type === 'node' && event.phase === 'finished') nodes.set(event.id, event);
    if (event.type === 'summary') summary = event;
  }
  return { ...result, nodes, summary };
}
