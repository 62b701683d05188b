/**
 * The engine's public surface: run a plan/apply/healthcheck job, build a graph, validate a module,
 * format HCL. This is the only module other areas import from src/graph.
 */
export { DEFAULT_PARALLELISM, graphJob, runJob, validateJob, type JobSink } from './engine.js';
export { formatHcl } from './hcl/index.js';
export { checkUpload, collectUpload, uploadLimitText, type Upload } from './uploads.js';
