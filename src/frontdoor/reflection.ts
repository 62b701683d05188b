/**
 * The standard gRPC services beside Converge's own: health checking and server reflection (so that
 * `grpcurl list` works with no proto files). Both are unauthenticated (they reveal only the schema and
 * SERVING) and load on their first call (lazy-service.ts): @grpc/reflection indexes every descriptor,
 * google/protobuf/descriptor.proto included, which measured as the largest single cost of starting a
 * server, and `converge plan --local` starts one per command and never asks.
 */
import type * as grpc from '@grpc/grpc-js';
import { addLazyService, type LazyMethod } from './lazy-service.js';
import { loadServedDefinition } from './proto.js';

const HEALTH = '/grpc.health.v1.Health';
const HEALTH_METHODS: readonly LazyMethod[] = [
  { name: 'Check', path: `${HEALTH}/Check`, requestStream: false, responseStream: false },
  { name: 'Watch', path: `${HEALTH}/Watch`, requestStream: false, responseStream: true },
  { name: 'List', path: `${HEALTH}/List`, requestStream: false, responseStream: false },
];

const REFLECTION_METHODS: readonly LazyMethod[] = ['v1', 'v1alpha'].map((version) => ({
  // Names only key this table; the paths tell the versions apart.
  name: `ServerReflectionInfo_${version}`,
  path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
  requestStream: true,
  responseStream: true,
}));

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

export interface StandardServices {
  /** Sets what health checks answer for `service` ('' is the whole server). */
  setStatus(service: string, status: ServingStatus): void;
}

/** Registers health (SERVING until told otherwise) and reflection v1 and v1alpha on `server`. */
export function addStandardServices(server: grpc.Server): StandardServices {
  // Statuses set before the health package loads are handed to it when it does.
  const statuses: Record<string, ServingStatus> = { '': 'SERVING', 'pb.Executor': 'SERVING' };
  let health: { setStatus(service: string, status: ServingStatus): void } | undefined;
  addLazyService(server, HEALTH_METHODS, async () => {
    const { HealthImplementation } = await import('grpc-health-check');
    const implementation = new HealthImplementation(statuses);
    health = implementation;
    // addToServer only calls addService.
    return (recorder) => implementation.addToServer(recorder as grpc.Server);
  });
  addLazyService(server, REFLECTION_METHODS, async () => {
    const [{ ReflectionService }, definition] = await Promise.all([import('@grpc/reflection'), loadServedDefinition()]);
    const reflection = new ReflectionService(definition);
    return (recorder) => reflection.addToServer(recorder);
  });
  return {
    setStatus(service, status) {
      statuses[service] = status;
      health?.setStatus(service, status);
    },
  };
}
