/**
 * ServerMetrics with prom-client, one Registry per server: tests start several servers in one
 * process, and prom-client's global registry would refuse the second server's metric names (and mix
 * their counts). Only metrics-listener.ts imports this file, and only when --metrics-addr is given.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthRefusalReason, FinishedRun, MetricsSources, ServerMetrics } from './metrics.js';

/**
 * Buckets in seconds for run time and queue wait: a one-file plan takes milliseconds, a large apply
 * minutes, and a wait behind another apply as long as that apply.
 */
const RUN_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface PromMetrics extends ServerMetrics {
  readonly registry: Registry;
  /** The exposition text, in Prometheus's text format. */
  scrape(): Promise<string>;
}

export function createPromMetrics(sources: MetricsSources): PromMetrics {
  const registry = new Registry();
  // Process metrics (CPU, memory, handles) and the event-loop lag (nodejs_eventloop_lag_*).
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Counter({
    name: 'converge_runs_total',
    help: 'Runs finished, by kind (plan, apply, healthcheck, graph) and outcome (ok, failed, cancelled, interrupted, refused)',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'converge_run_duration_seconds',
    help: 'Time a run took from leaving the queue to its end, by kind',
    labelNames: ['kind'] as const,
    buckets: RUN_SECONDS_BUCKETS,
    registers,
  });
  const wait = new Histogram({
    name: 'converge_queue_wait_seconds',
    help: 'Time a run waited in the job queue before it started, by kind',
    labelNames: ['kind'] as const,
    buckets: RUN_SECONDS_BUCKETS,
    registers,
  });
  const nodeCounter = (what: string, help: string): Counter<'kind'> =>
    new Counter({ name: `converge_nodes_${what}_total`, help, labelNames: ['kind'] as const, registers });
  const checked = nodeCounter('checked', 'Nodes that reported a result (checked by a plan, checked and applied by an apply), by run kind');
  const changed = nodeCounter('changed', 'Nodes whose result had changes (to make, for a plan; made, for an apply), by run kind');
  const failed = nodeCounter('failed', 'Nodes whose result was an error, by run kind');
  registerSourceGauges(registry, sources);
  const auth = new Counter({
    name: 'converge_auth_failures_total',
    help: 'Requests refused for their credentials, by reason (missing, invalid, expired, duplicate, unknown_key)',
    labelNames: ['reason'] as const,
    registers,
  });
  const drift = new Gauge({
    name: 'converge_drift',
    help: "1 when the last scheduled plan of the module found changes, 0 when it found none",
    labelNames: ['module'] as const,
    registers,
  });
  const skipped = new Counter({
    name: 'converge_schedule_skipped_total',
    help: 'Schedule ticks skipped because the previous run of that schedule was still going',
    labelNames: ['schedule'] as const,
    registers,
  });

  return {
    registry,
    scrape: () => registry.metrics(),
    runFinished(run: FinishedRun) {
      runs.inc({ kind: run.kind, outcome: run.outcome });
      if (run.startedAtMs !== null) {
        wait.observe({ kind: run.kind }, (run.startedAtMs - run.createdAtMs) / 1000);
        duration.observe({ kind: run.kind }, (run.finishedAtMs - run.startedAtMs) / 1000);
      }
      checked.inc({ kind: run.kind }, run.nodes.checked);
      changed.inc({ kind: run.kind }, run.nodes.changed);
      failed.inc({ kind: run.kind }, run.nodes.failed);
    },
    authRefused(reason: AuthRefusalReason) {
      auth.inc({ reason });
    },
    drift(module: string, drifted: boolean) {
      drift.set({ module }, drifted ? 1 : 0);
    },
    scheduleSkipped(schedule: string) {
      skipped.inc({ schedule });
    },
  };
}

/** Gauges read from the server's own state at scrape time. */
function registerSourceGauges(registry: Registry, sources: MetricsSources): void {
  const gauges: [string, string, () => number][] = [
    ['converge_queue_waiting', 'Jobs waiting in the queue', () => sources.waiting()],
    ['converge_jobs_running', 'Jobs running', () => sources.running()],
    ['converge_connections_open', 'Client connections open (gRPC and HTTP)', () => sources.connections()],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}
