/** The Runs service over gRPC: List, Get and Watch (see runs-view.ts and runs-watch.ts), with the same auth as every call. */
import type * as grpc from '@grpc/grpc-js';
import type { FrontDoor } from './front-door.js';
import { finishStream, grpcSink, toServiceError, unaryHandler } from './grpc-service.js';
import { grpcPeer } from './refusals.js';
import { interruptible } from './lifecycle.js';
import { getRun, listRuns } from './runs-view.js';
import { watchRun } from './runs-watch.js';
import type { RunDetailInit, RunGetRequest, RunsListRequest, RunsListResponseInit, RunWatchRequest, StatusResponseInit } from './wire/pb-types.js';
import { RunsService } from './wire/pb-services.js';

function watchHandler(front: FrontDoor): grpc.handleServerStreamingCall<RunWatchRequest, StatusResponseInit> {
  const method = 'Runs.Watch';
  return (call) => {
    const peer = grpcPeer(call.getPeer());
    void (async () => {
      try {
        await front.auth.checkGrpc(call.metadata);
        const client = grpcSink(call);
        // A watcher of a live run is a client stream like any other: a shutdown waits for it, then ends it.
        const live = front.runs.get(call.request.id);
        const ticket = live === undefined ? undefined : front.lifecycle.track(live);
        try {
          const sink = ticket === undefined ? client : interruptible(client, ticket.interrupted);
          const result = await watchRun(front, call.request.id, call.request.fromSeq, sink);
          if (ticket?.interrupted.aborted === true && !call.cancelled) call.emit('error', toServiceError(front, ticket.interrupted.reason, method, peer));
          else finishStream(front, call, result, method, peer);
        } finally {
          ticket?.done();
        }
      } catch (error) {
        if (!call.cancelled) call.emit('error', toServiceError(front, error, method, peer));
      }
    })();
  };
}

export function addRunsService(server: grpc.Server, front: FrontDoor): void {
  server.addService(RunsService, {
    List: unaryHandler(front, 'Runs.List', async (request: RunsListRequest): Promise<RunsListResponseInit> => listRuns(front, request)),
    Get: unaryHandler(front, 'Runs.Get', async (request: RunGetRequest): Promise<RunDetailInit> => getRun(front, request.id)),
    Watch: watchHandler(front),
  });
}
