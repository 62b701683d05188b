/**
 * A loopback TCP proxy between a client and a server, so a test can drop the client's connection
 * mid-run (`cut`) or make the server unreachable for good (`refuse`), as a failing network would.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Destroys every open connection (both sides); new ones are still accepted. */
  cut(): void;
  /** Stops accepting (connects are refused from now on) and cuts the open connections. */
  refuse(): Promise<void>;
}

export async function startTcpProxy(t: { teardown(fn: () => void | Promise<void>): void }, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((downstream) => {
    accepted += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = (): void => {
    for (const socket of open) socket.destroy();
  };
  const refuse = (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    cut();
    return closed;
  };
  t.teardown(async () => {
    if (server.listening) await refuse();
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    cut,
    refuse,
  };
}
