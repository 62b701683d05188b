import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { api, TEST_IMAGE, TEST_TAG, uniqueName } from './docker-env.js';
import { converge, ROOT } from './run-converge.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('examples/docker.hcl applies through the CLI, serves its page, and then has nothing to change', async (t) => {
  const prefix = uniqueName('example');
  // In this order: the container must go before its network and volume.
  t.teardown(async () => {
    for (const remove of [
      () => api.getContainer(`${prefix}-web`).remove({ force: true }),
      () => api.getNetwork(`${prefix}-web`).remove(),
      () => api.getVolume(`${prefix}-data`).remove(),
    ]) {
      try {
        await remove();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }
  });
  const port = await freePort();
  const args = ['-p', `image=${TEST_IMAGE}`, '-p', `tag=${TEST_TAG}`, '-p', `port=${port}`, '-p', `prefix=${prefix}`];
  const example = path.join(ROOT, 'examples/docker.hcl');

  const first = await converge('apply', [...args, example], ROOT);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.regex(first.stdout, new RegExp(`created container ${prefix}-web\\n\\s+started container ${prefix}-web`));
  t.regex(first.stdout, new RegExp(`created network ${prefix}-web`));
  t.regex(first.stdout, new RegExp(`created volume ${prefix}-data`));

  const page = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(20_000) });
  t.is((await page.text()).trim(), 'hello from converge');
  const info = await api.getContainer(`${prefix}-web`).inspect();
  t.true(Object.keys(info.NetworkSettings.Networks).includes(`${prefix}-web`));
  t.true((info.Mounts ?? []).some((m) => m.Name === `${prefix}-data` && m.Destination === '/data'));

  const second = await converge('apply', [...args, example], ROOT);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.regex(second.stdout, /Summary: 0 errors, 0 changes/);
});
