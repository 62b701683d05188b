/**
 * Binding a listening socket, with the two failures an operator meets named in our codes: the address
 * is taken (another converge, or another program), or it cannot be bound at all. Shared by the RPC
 * port and the metrics port, whose messages say which flag the address came from.
 */
import type net from 'node:net';
import { ConvergeError } from '../errors.js';

/** Listens on host:port and resolves to the port bound (the one picked, for port 0). */
export function listen(server: net.Server, host: string, port: number, flag?: string): Promise<number> {
  const what = flag === undefined ? `${host}:${port}` : `${host}:${port} (${flag})`;
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new ConvergeError(
            'CNV_ERR_SERVER_ADDRESS_IN_USE',
            `cannot listen on ${what}: the address is already in use (another converge or another program holds it)`,
            { host, port },
          ),
        );
      } else {
        reject(new ConvergeError('CNV_ERR_SERVER_UNREACHABLE', `cannot listen on ${what}: ${error.message}`));
      }
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
