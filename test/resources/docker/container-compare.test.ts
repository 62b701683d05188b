import test from 'ava';
import type Docker from 'dockerode';
import {
  compareContainer,
  parsePortBinding,
  parseVolume,
  portKey,
  sameImage,
  volumeConfig,
  type ContainerSpec,
  type ImageDefaults,
} from '../../../src/resources/docker/container-compare.js';
import { drifted } from '../../../src/resources/docker/drift.js';

const SPEC: ContainerSpec = {
  name: 'web',
  image: 'registry.local/web',
  entrypoint: [],
  command: ['httpd', '-f'],
  workingDir: '',
  env: ['MODE=prod'],
  expose: ['9000'],
  links: [],
  ports: ['127.0.0.1::8080', '8443:443/tcp'],
  dns: ['10.0.0.2'],
  networkMode: '',
  networks: ['front', 'back'],
  volumes: ['data:/data', '/cache'],
  volumesFrom: [],
  publishAllPorts: false,
  status: 'running',
  force: true,
};

const IMAGE: ImageDefaults = {
  repoTags: ['registry.local/web:latest'],
  cmd: ['/bin/sh'],
  entrypoint: [],
  workingDir: '',
  env: ['PATH=/bin'],
  exposed: [],
  volumes: [],
};

/** A container as podman 4 reports one created from SPEC. */
function podmanView(overrides: { Config?: object; HostConfig?: object } = {}): Docker.ContainerInspectInfo {
  return {
    Name: '/web',
    Image: 'sha256:1234',
    State: { Status: 'running', Running: true },
    Config: {
      Env: ['MODE=prod', 'PATH=/bin', 'TERM=xterm', 'container=podman', 'HOME=/root', 'HOSTNAME=abc'],
      Cmd: ['httpd', '-f'],
      Entrypoint: [],
      WorkingDir: '/',
      ExposedPorts: { '9000/tcp': {}, '8080/tcp': {}, '443/tcp': {} },
      Volumes: null,
      ...overrides.Config,
    },
    HostConfig: {
      NetworkMode: 'bridge',
      PortBindings: {
        '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '41234' }],
        '443/tcp': [{ HostIp: '', HostPort: '8443' }],
      },
      Dns: ['10.0.0.2'],
      Binds: ['data:/data:rw,rprivate,nosuid,nodev,rbind'],
      Links: null,
      VolumesFrom: null,
      PublishAllPorts: false,
      ...overrides.HostConfig,
    },
    Mounts: [
      { Type: 'volume', Name: 'data', Destination: '/data' },
      { Type: 'volume', Name: 'f00', Destination: '/cache' },
    ],
    NetworkSettings: { Networks: { front: {}, back: {} } },
  } as unknown as Docker.ContainerInspectInfo;
}

test('ports and volumes parse in every documented form', (t) => {
  t.is(portKey('80'), '80/tcp');
  t.is(portKey('53/UDP'), '53/udp');
  t.deepEqual(parsePortBinding('80'), { ip: '', hostPort: '', containerPort: '80/tcp' });
  t.deepEqual(parsePortBinding('8080:80'), { ip: '', hostPort: '8080', containerPort: '80/tcp' });
  t.deepEqual(parsePortBinding('127.0.0.1::53/udp'), { ip: '127.0.0.1', hostPort: '', containerPort: '53/udp' });
  t.deepEqual(parseVolume('/cache'), { source: '', destination: '/cache', mode: '' });
  t.deepEqual(parseVolume('/srv:/www:ro'), { source: '/srv', destination: '/www', mode: 'ro' });
  t.deepEqual(volumeConfig(['/cache', 'data:/data']), { anonymous: ['/cache'], binds: ['data:/data'] });
});

test('image references without a tag mean latest, and docker.io names match their short form', (t) => {
  t.true(sameImage('busybox', 'docker.io/library/busybox:latest'));
  t.true(sameImage('registry.local:5000/web', 'registry.local:5000/web:latest'));
  t.false(sameImage('busybox:1.36', 'docker.io/library/busybox:latest'));
});

test('a container created from the module compares equal despite what the engine adds', (t) => {
  const differences = drifted(compareContainer(SPEC, podmanView(), IMAGE));
  t.deepEqual(differences, []);
});

test('each differing field is reported under its own name', (t) => {
  const view = podmanView({
    Config: { Env: ['MODE=dev', 'EXTRA=1', 'PATH=/bin'], Cmd: ['sleep', '1'], WorkingDir: '/srv' },
    HostConfig: {
      Dns: [],
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '41234' }], '443/tcp': [{ HostIp: '', HostPort: '9443' }] },
      PublishAllPorts: true,
    },
  });
  const fields = Object.fromEntries(drifted(compareContainer(SPEC, view, IMAGE)).map((c) => [c.field, [c.actual, c.expected]]));
  t.deepEqual(fields, {
    command: ['sleep 1', 'httpd -f'],
    working_dir: ['/srv', '/'],
    env: ['EXTRA=1 MODE=dev', 'MODE=prod'],
    ports: ['127.0.0.1::8080/tcp, :9443:443/tcp', '127.0.0.1::8080/tcp, :8443:443/tcp'],
    dns: ['', '10.0.0.2'],
    publish_all_ports: ['true', 'false'],
  });
});

test('network membership and mode are compared without the builtin networks', (t) => {
  const left = podmanView();
  (left.NetworkSettings as { Networks: object }).Networks = { front: {}, podman: {} };
  const fields = drifted(compareContainer(SPEC, left, IMAGE)).map((c) => [c.field, c.actual, c.expected]);
  t.deepEqual(fields, [['networks', '', 'back']]);

  const wrongMode = podmanView({ HostConfig: { NetworkMode: 'host' } });
  t.deepEqual(
    drifted(compareContainer(SPEC, wrongMode, IMAGE)).map((c) => [c.field, c.actual, c.expected]),
    [['network_mode', 'host', 'front']],
  );
});

test('an entrypoint from the module drops the image command from what is expected', (t) => {
  const spec = { ...SPEC, entrypoint: ['/bin/busybox'], command: [] };
  const view = podmanView({ Config: { Entrypoint: ['/bin/busybox'], Cmd: null } });
  t.deepEqual(drifted(compareContainer(spec, view, IMAGE)), []);
});

test('the image is compared by repo tag, a different one is a difference', (t) => {
  const other = { ...IMAGE, repoTags: ['registry.local/other:1'] };
  t.deepEqual(
    drifted(compareContainer(SPEC, podmanView(), other)).map((c) => [c.field, c.actual, c.expected]),
    [['image', 'registry.local/other:1', 'registry.local/web']],
  );
});
