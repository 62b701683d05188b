import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import test from 'ava';
import { mintToken } from '../../src/jwt.js';
import { PlanSigner } from '../../src/frontdoor/plan-signing.js';
import { client, serve, tempDir } from './helpers.js';

const TOKEN = 'saved-plans-test-token-0123456789';
const MODULE = 'file.content "x" {\n  destination = "x.txt"\n  content     = "{{param `v`}}"\n}\n\nparam "v" {}\n';

/** POSTs raw bytes (a plan file as it is on disk) and splits the NDJSON reply. */
async function postBytes(port: number, route: string, body: Buffer): Promise<{ status: number; text: string }> {
  const headers = { Authorization: `Bearer ${await mintToken(TOKEN)}`, 'Content-Type': 'application/octet-stream' };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: route, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function savedPlanText(c: ReturnType<typeof client>, location: string): Promise<string> {
  let text: string | undefined;
  for await (const item of c.plan({ location, params: { v: 'from-plan' }, savePlan: true })) if (item.type === 'saved-plan') text = item.text;
  if (text === undefined) throw new Error('no saved-plan item');
  return text;
}

test('POST /api/v1/machine/apply - the plan file\'s bytes apply it; edited bytes and the plan route are refused', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'm.hcl'), MODULE);
  const server = await serve(t, { token: TOKEN, cwd, plans: { stateDir: path.join(cwd, 'state') } });
  const text = await savedPlanText(client(t, server), 'm.hcl');
  t.false(fs.existsSync(path.join(cwd, 'x.txt')), 'a plan changes nothing');

  const tampered = await postBytes(server.port, '/api/v1/machine/apply', Buffer.from(text.replace('from-plan', 'tampered!')));
  t.is(tampered.status, 400);
  t.regex(tampered.text, /changed after the server signed it/);
  const onPlan = await postBytes(server.port, '/api/v1/machine/plan', Buffer.from(text));
  t.is(onPlan.status, 400);
  t.regex(onPlan.text, /saved_plan is for apply only/);
  t.false(fs.existsSync(path.join(cwd, 'x.txt')));

  const applied = await postBytes(server.port, '/api/v1/machine/apply', Buffer.from(text));
  t.is(applied.status, 200, applied.text);
  const results = applied.text.trim().split('\n').map((l) => (JSON.parse(l) as { result: { id: string; stage: string; run: string; details?: { error: string } } }).result);
  t.true(results.every((r) => r.stage === 'APPLY'));
  t.is(results.find((r) => r.id === 'root/file.content.x' && r.run === 'FINISHED')?.details?.error ?? '', '');
  t.is(fs.readFileSync(path.join(cwd, 'x.txt'), 'utf8'), 'from-plan');
});

test('Apply over gRPC with saved_plan - another server\'s plan is refused with CNV_ERR_PLAN_WRONG_SERVER', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'm.hcl'), MODULE);
  const one = await serve(t, { token: TOKEN, cwd, plans: { stateDir: path.join(cwd, 'one') } });
  const two = await serve(t, { token: TOKEN, cwd, plans: { stateDir: path.join(cwd, 'two') } });
  const text = await savedPlanText(client(t, one), 'm.hcl');
  const stream = client(t, two).apply({ location: '', savedPlan: text });
  const error = await t.throwsAsync(async () => {
    for await (const item of stream) void item;
  });
  t.is((error as unknown as { code: string }).code, 'CNV_ERR_PLAN_WRONG_SERVER');
  t.false(fs.existsSync(path.join(cwd, 'x.txt')));
});

test('PlanSigner - one key per state dir (0600), plans expire after maxAgeMs, bad shapes are CNV_ERR_PLAN_MALFORMED', (t) => {
  const dir = tempDir(t);
  let now = Date.parse('2026-01-01T00:00:00Z');
  const signer = new PlanSigner({ stateDir: dir, maxAgeMs: 60_000, now: () => now });
  const file = signer.sign({ run: 'r1', location: 'm.hcl', cwd: '/', params: {}, sources: {}, nodes: {} });
  t.is(fs.statSync(path.join(dir, 'plan-key')).mode & 0o777, 0o600);
  t.is(new PlanSigner({ stateDir: dir }).serverId, signer.serverId, 'the key persists');
  t.is(signer.verify(JSON.stringify(file)).run, 'r1');
  now += 60_001;
  t.throws(() => signer.verify(JSON.stringify(file)), { code: 'CNV_ERR_PLAN_EXPIRED' });
  t.throws(() => signer.verify('{"converge-plan": 2}'), { code: 'CNV_ERR_PLAN_MALFORMED' });
  t.throws(() => signer.verify('not json'), { code: 'CNV_ERR_PLAN_MALFORMED' });
});
