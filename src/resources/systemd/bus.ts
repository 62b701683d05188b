/**
 * One connection to the D-Bus system bus and the few calls systemd.unit.state makes on systemd's
 * manager (org.freedesktop.systemd1). dbus-next is imported on first use only: it costs about half a
 * second to load, which every other command must not pay. Calls go through the low-level message API,
 * not proxy objects, because a proxy first introspects the object: one more round trip per unit.
 */
import type { MessageBus, Message as DBusMessage } from 'dbus-next';
import { ConvergeError, getErrorMessage } from '../../errors.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';
export const MANAGER = 'org.freedesktop.systemd1.Manager';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const BUS_IFACE = 'org.freedesktop.DBus';

/** A method call that gets no reply in this long failed; systemd answers at once (jobs are waited for apart). */
const CALL_TIMEOUT_MS = 25_000;

type DBusModule = typeof import('dbus-next');
let loading: Promise<DBusModule> | undefined;

function loadDBus(): Promise<DBusModule> {
  // dbus-next is CommonJS: its named exports sit on the default export under ESM.
  loading ??= import('dbus-next').then((mod) => ((mod as { default?: DBusModule }).default ?? mod));
  return loading;
}

/** Where the system bus is, for messages: the variable the D-Bus library reads, or its default. */
function busAddress(): string {
  return process.env['DBUS_SYSTEM_BUS_ADDRESS'] ?? 'unix:path=/var/run/dbus/system_bus_socket';
}

function unreachable(context: string, error: unknown): ConvergeError {
  return new ConvergeError(
    'CNV_ERR_SYSTEMD_UNREACHABLE',
    `${context}: cannot reach systemd over the D-Bus system bus at ${busAddress()}: ${getErrorMessage(error)}`,
  );
}

/** What a finished systemd job reported (JobRemoved's result): done, canceled, timeout, failed, dependency, skipped. */
export type JobResult = string;

export class SystemBus {
  readonly #bus: MessageBus;
  readonly #dbus: DBusModule;
  /** Rejects when the connection breaks; every call races it, so a dead socket fails the call instead of hanging it. */
  readonly #broken: Promise<never>;
  /** Results of jobs that finished, by job path, kept until someone waits for them (the signal may beat the reply). */
  readonly #finished = new Map<string, JobResult>();
  readonly #waiters = new Map<string, (result: JobResult) => void>();
  #subscribed = false;

  private constructor(dbus: DBusModule, bus: MessageBus) {
    this.#dbus = dbus;
    this.#bus = bus;
    // The socket's own error (ENOENT, ECONNREFUSED, an auth failure); call() says which call it broke.
    this.#broken = new Promise<never>((_resolve, reject) => {
      bus.on('error', (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
    });
    // Nobody may be waiting when the connection breaks; the rejection is seen by the next call.
    this.#broken.catch(() => undefined);
    bus.on('message', (msg: DBusMessage) => this.#onMessage(msg));
  }

  /** Opens a connection; the caller must close() it, or the process would not exit. */
  static async open(): Promise<SystemBus> {
    const dbus = await loadDBus();
    let bus: MessageBus;
    try {
      bus = dbus.systemBus();
    } catch (error) {
      throw unreachable('opening the system bus', error);
    }
    return new SystemBus(dbus, bus);
  }

  close(): void {
    this.#bus.disconnect();
  }

  /**
   * Calls a method of systemd's. `what` says what for in errors ("unit web.service"); D-Bus's error
   * name and text follow it, so the reason is systemd's own.
   */
  async call(
    path: string,
    iface: string,
    member: string,
    signature: string,
    body: unknown[],
    what: string,
  ): Promise<unknown[]> {
    // AddMatch is the bus's own method; everything else goes to systemd.
    const destination = iface === BUS_IFACE ? BUS_IFACE : SYSTEMD;
    const message = new this.#dbus.Message({ destination, path, interface: iface, member, signature, body });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ConvergeError('CNV_ERR_SYSTEMD_DBUS', `${what}: ${member}: no reply from systemd in ${CALL_TIMEOUT_MS / 1000} s`)),
        CALL_TIMEOUT_MS,
      );
    });
    try {
      const reply = await Promise.race([this.#bus.call(message), this.#broken, timeout]);
      return (reply?.body ?? []) as unknown[];
    } catch (error) {
      if (error instanceof ConvergeError) throw error;
      if (error instanceof this.#dbus.DBusError) {
        throw new ConvergeError('CNV_ERR_SYSTEMD_DBUS', `${what}: ${member}: ${error.type}: ${error.text}`, {
          dbusError: error.type,
        });
      }
      throw unreachable(`${what}: ${member}`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A method of the manager object. */
  manager(member: string, signature: string, body: unknown[], what: string): Promise<unknown[]> {
    return this.call(MANAGER_PATH, MANAGER, member, signature, body, what);
  }

  /** Every property of one interface of an object, as D-Bus variants by name. */
  async getAll(path: string, iface: string, what: string): Promise<Record<string, { signature: string; value: unknown }>> {
    const [props] = await this.call(path, PROPERTIES, 'GetAll', 's', [iface], what);
    return (props ?? {}) as Record<string, { signature: string; value: unknown }>;
  }

  /**
   * Runs a manager method that queues a job (StartUnit, StopUnit, ...) and waits until systemd removes
   * the job, returning its result. The match rule is in place before the call, so the signal cannot be missed.
   */
  async runJob(member: string, unit: string, signal: AbortSignal): Promise<JobResult> {
    const what = `unit ${unit}`;
    if (!this.#subscribed) {
      await this.call(
        '/org/freedesktop/DBus',
        BUS_IFACE,
        'AddMatch',
        's',
        [`type='signal',sender='${SYSTEMD}',interface='${MANAGER}',member='JobRemoved'`],
        what,
      );
      await this.manager('Subscribe', '', [], what);
      this.#subscribed = true;
    }
    const [job] = (await this.manager(member, 'ss', [unit, 'replace'], what)) as [string];
    const early = this.#finished.get(job);
    if (early !== undefined) {
      this.#finished.delete(job);
      return early;
    }
    return new Promise<JobResult>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(job);
        reject(new ConvergeError('CNV_ERR_JOB_CANCELLED', `${what}: cancelled while waiting for ${member}'s job ${job}`));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(job, (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      });
      this.#broken.catch((error: unknown) => {
        this.#waiters.delete(job);
        reject(unreachable(`${what}: waiting for ${member}'s job ${job}`, error));
      });
    });
  }

  #onMessage(msg: DBusMessage): void {
    if (msg.interface !== MANAGER || msg.member !== 'JobRemoved') return;
    // JobRemoved(u id, o job, s unit, s result)
    const [, job, , result] = msg.body as [number, string, string, string];
    const waiter = this.#waiters.get(job);
    if (waiter === undefined) {
      this.#finished.set(job, result);
      return;
    }
    this.#waiters.delete(job);
    waiter(result);
  }
}

/**
 * Runs `work` with a fresh connection and closes it afterwards: a connection left open keeps the
 * event loop (and so `converge apply`) alive.
 */
export async function withSystemBus<T>(work: (bus: SystemBus) => Promise<T>): Promise<T> {
  const bus = await SystemBus.open();
  try {
    return await work(bus);
  } finally {
    bus.close();
  }
}
