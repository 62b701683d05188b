/**
 * The generated wire code: fresh against proto/, and byte-compatible with protobufjs (what the
 * original's clients and grpcurl are checked against), both ways, including lengths that need
 * multi-byte varints and fields this side does not know.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import * as protoLoader from '@grpc/proto-loader';
import { GraphComponent, LoadRequest, StatusResponse } from '../../src/frontdoor/wire/pb-codecs.js';
import { HTTP_RULES } from '../../src/frontdoor/wire/pb-services.js';
import { protoDir } from '../../src/frontdoor/proto.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Generator {
  staleFiles(root: string): string[];
}

test('the generated code in src/frontdoor/wire/ matches proto/ (run npm run gen:proto when this fails)', async (t) => {
  const generator = (await import(pathToFileURL(path.join(ROOT, 'scripts/gen-proto.mjs')).href)) as Generator;
  t.deepEqual(generator.staleFiles(ROOT), []);
});

type Codec = { serialize(value: unknown): Buffer; deserialize(bytes: Buffer): Record<string, unknown> };

function reference(): Record<string, Codec> {
  const definition = protoLoader.loadSync('converge.proto', {
    includeDirs: [protoDir()],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: false,
  });
  const method = (service: string, name: string): { requestSerialize: Codec['serialize']; responseDeserialize: Codec['deserialize']; responseSerialize: Codec['serialize']; requestDeserialize: Codec['deserialize'] } =>
    (definition[`pb.${service}`] as unknown as Record<string, never>)[name]!;
  const plan = method('Executor', 'Plan');
  const graph = method('Grapher', 'Graph');
  return {
    LoadRequest: { serialize: plan.requestSerialize, deserialize: plan.requestDeserialize },
    StatusResponse: { serialize: plan.responseSerialize, deserialize: plan.responseDeserialize },
    GraphComponent: { serialize: graph.responseSerialize, deserialize: graph.responseDeserialize },
  };
}

const long = 'x'.repeat(20_000);

test('StatusResponse: ours decodes as protobufjs decodes it, and back', (t) => {
  const ref = reference();
  const message = {
    id: 'root/file.content.a',
    stage: 'APPLY',
    run: 'FINISHED',
    details: {
      messages: ['one', 'twö'],
      changes: { content: { original: long, current: '', changes: true }, mode: { original: '0644', current: '0600', changes: true } },
      hasChanges: true,
      error: '',
      warning: 'w',
      health: { level: 'warning', failingDependencies: ['a', 'b'] },
    },
    meta: { id: 'root/file.content.a' },
    pass: 1,
    seq: 300,
  } as const;
  const theirs = ref['StatusResponse']!.deserialize(StatusResponse.serialize(message));
  t.like(theirs, { id: message.id, stage: 'APPLY', run: 'FINISHED', pass: 1, seq: 300, meta: { id: message.id } });
  t.deepEqual((theirs['details'] as Record<string, unknown>)['changes'], message.details.changes);
  const ours = StatusResponse.deserialize(ref['StatusResponse']!.serialize(message));
  t.deepEqual(ours.details?.changes, message.details.changes);
  t.deepEqual(ours.details?.health, message.details.health);
  t.deepEqual(ours.details?.messages, ['one', 'twö']);
  t.is(ours.seq, 300);
  t.is(ours.notice, undefined);
  t.deepEqual(StatusResponse.deserialize(StatusResponse.serialize(message)), ours);
});

test('LoadRequest and GraphComponent round-trip with protobufjs; defaults are left out of the bytes', (t) => {
  const ref = reference();
  const request = {
    location: 'm.hcl',
    parameters: { a: '1', __proto__x: long },
    verify: false,
    content: '',
    acceptNotices: true,
    parametersJson: '{"l":[1]}',
    savePlan: true,
    savedPlan: '{"converge-plan":1}',
    files: { 'lib/a.hcl': long, 'b.hcl': '' },
  };
  t.deepEqual(LoadRequest.deserialize(ref['LoadRequest']!.serialize(request)), request);
  t.like(ref['LoadRequest']!.deserialize(LoadRequest.serialize(request)), { location: 'm.hcl', acceptNotices: true, parametersJson: '{"l":[1]}' });
  t.is(LoadRequest.serialize({}).length, 0);
  const vertex = { vertex: { id: 'root', kind: 'module', details: Buffer.from('{"a":1}') } };
  const decoded = GraphComponent.deserialize(ref['GraphComponent']!.serialize(vertex));
  t.is(decoded.vertex?.details.toString(), '{"a":1}');
  t.is(decoded.edge, undefined);
  const edge = { edge: { source: 'a', dest: 'b', attributes: ['depends'] } };
  t.like(ref['GraphComponent']!.deserialize(GraphComponent.serialize(edge)), edge);
});

test('fields from a newer peer are skipped; truncated input is refused with a clear error', (t) => {
  // Field 15 (varint), field 16 (length-delimited), then location.
  const bytes = Buffer.from([0x78, 0x01, 0x82, 0x01, 0x02, 0x61, 0x62, 0x0a, 0x01, 0x6d]);
  t.is(LoadRequest.deserialize(bytes).location, 'm');
  t.throws(() => LoadRequest.deserialize(Buffer.from([0x0a, 0x05, 0x61])), { message: /malformed protobuf message/ });
});

test('HTTP rules come from every google.api.http option', (t) => {
  t.true(HTTP_RULES.some((rule) => rule.method === 'ResourceHost.GetModule' && rule.path === '/api/v1/resources/modules/{location=**}'));
  t.true(HTTP_RULES.some((rule) => rule.method === 'Runs.Watch' && rule.verb === 'GET' && rule.path === '/api/v1/runs/{id}/events'));
  // The original's 7 routes and the 3 of the Runs service.
  t.is(HTTP_RULES.length, 10);
});
