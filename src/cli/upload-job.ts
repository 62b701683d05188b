/**
 * `--upload` (plan, apply, healthcheck, graph): a job carries its module's text and the local modules
 * that it includes, so that a remote server runs the files of this machine instead of reading its own.
 * Remote (http/https) modules are left to the server, which fetches them as it would without --upload.
 */
import type { Logger } from './log.js';
import type { ClientJob } from './runner.js';

const REMOTE_URL = /^https?:\/\//i;

/** The job with its uploaded modules, or the job unchanged without --upload. */
export async function withUpload(job: ClientJob, upload: boolean, cwd: string, log: Logger): Promise<ClientJob> {
  // A saved plan carries the texts of every module it read.
  if (!upload || job.savedPlan !== undefined) return job;
  if (REMOTE_URL.test(job.location)) {
    log.warn('--upload sends local modules only; the server fetches this URL itself', { location: job.location });
    return job;
  }
  // uploads.js directly rather than graph/index.js: a remote run needs the walk, not the engine.
  const { collectUpload } = await import('../graph/uploads.js');
  const found = await collectUpload(job.location, cwd);
  log.debug('uploading modules', { files: Object.keys(found.files).length + 1, bytes: found.bytes });
  return { ...job, content: found.content, files: found.files };
}
