/**
 * What the docker tests need from the environment that scripts/docker-test-env.sh sets up, plus unique
 * names and teardown that removes what a test created.
 */
import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import Docker from 'dockerode';
import { dockerEndpoint } from '../../../src/resources/docker/client.js';
import type { RunContext } from '../../../src/resources/types.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run \`bash scripts/docker-test-env.sh start\` and load the env file it prints before \`npm run test:docker\``,
    );
  }
  return value;
}

/** The busybox image in the local registry (without tag), and its tag. */
export const TEST_IMAGE = required('CONVERGE_TEST_IMAGE');
export const TEST_TAG = process.env['CONVERGE_TEST_IMAGE_TAG'] ?? 'latest';
export const TEST_IMAGE_REF = `${TEST_IMAGE}:${TEST_TAG}`;
/** An image only the pull tests use; they delete it locally. */
export const PULL_IMAGE = required('CONVERGE_TEST_PULL_IMAGE');

/** A direct client for arranging and inspecting, independent of the code under test. */
export const api = new Docker(dockerEndpoint().options);

/** A name no other test or run uses. */
export function uniqueName(prefix: string): string {
  return `cnvtest-${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export type DockerObject = 'container' | 'network' | 'volume';

/** Removes the named object when the test ends, whatever happened to it. */
export function removeAfter(t: ExecutionContext, kind: DockerObject, name: string): void {
  t.teardown(async () => {
    try {
      if (kind === 'container') await api.getContainer(name).remove({ force: true, v: true });
      else if (kind === 'network') await api.getNetwork(name).remove();
      else await api.getVolume(name).remove({ force: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  });
}

/** A run context that records live progress. */
export function progressContext(): { ctx: RunContext; progress: string[] } {
  const progress: string[] = [];
  return { ctx: { cwd: process.cwd(), signal: new AbortController().signal, progress: (m) => progress.push(m) }, progress };
}

/** Pulls the busybox test image once per process, through the API directly. */
let pulled: Promise<void> | undefined;
export function ensureTestImage(): Promise<void> {
  pulled ??= (async () => {
    const stream = await api.pull(TEST_IMAGE_REF);
    await new Promise<void>((resolve, reject) => {
      api.modem.followProgress(stream, (error) => (error ? reject(error) : resolve()));
    });
  })();
  return pulled;
}
