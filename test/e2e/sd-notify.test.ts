/**
 * systemd readiness: with NOTIFY_SOCKET set, `converge server` sends READY=1 (with its address as the
 * status) once it listens, and STOPPING=1 when SIGTERM starts the graceful stop. A python3 listener on a
 * unix datagram socket stands in for systemd (Node cannot bind one); systemd-notify is the real one.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';

const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
print('listening', flush=True)
try:
    while True:
        print(repr(s.recv(65536).decode()), flush=True)
except socket.timeout:
    pass
`;

const missing = ['systemd-notify', 'python3'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const maybe = missing.length === 0 ? test : test.skip;
if (missing.length > 0) console.error(`sd-notify test skipped: ${missing.join(' and ')} not found`);

maybe('sd_notify - READY=1 with the address once the server listens, STOPPING=1 on SIGTERM', async (t) => {
  const dir = scratchDir(t);
  const socket = path.join(dir, 'notify.sock');
  const listener = spawn('python3', ['-c', LISTENER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => listener.kill());
  let seen = '';
  listener.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  const until = async (pattern: RegExp): Promise<void> => {
    for (let i = 0; i < 200 && !pattern.test(seen); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await until(/listening/);
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--no-token', '--no-store'], { NOTIFY_SOCKET: socket });
  await until(/READY=1/);
  t.regex(seen, new RegExp(`READY=1\\\\nSTATUS=serving on http://127\\.0\\.0\\.1:${server.port}`));
  t.is(await server.stop(), 0);
  await until(/STOPPING=1/);
  t.regex(seen, /STOPPING=1/);
});
