/**
 * Health results for the healthcheck pass, worded as the original's HealthStatus.
 * Shell tasks compute their level from the check's exit status; every other resource uses
 * defaultHealth(). The engine adds failing dependencies with describeHealth().
 */
import { statusHasChanges } from './status.js';
import { StatusLevel, type HealthResult, type ResourceStatus } from './types.js';

/** `Check returned <level>` when the level is not NoChange, then `Check indicates changes are required`. */
export function healthMessages(status: ResourceStatus): string[] {
  const messages: string[] = [];
  if (status.level !== StatusLevel.NoChange) messages.push(`Check returned ${status.level}`);
  if (statusHasChanges(status)) messages.push('Check indicates changes are required');
  return messages;
}

/** Health of a resource without its own notion: healthy when unchanged, an error from WillChange up. */
export function defaultHealth(checked: ResourceStatus): HealthResult {
  if (!statusHasChanges(checked)) return { level: 'healthy', messages: healthMessages(checked) };
  return {
    level: checked.level >= StatusLevel.WillChange ? 'error' : 'warning',
    messages: healthMessages(checked),
  };
}

/**
 * The node's messages and error text once its failing dependencies (those not healthy) are known:
 * `N failing dependencies` is appended, and the error reads `required changes detected`,
 * `required dependencies are failing`, or both joined by `; `. A healthy node with healthy
 * dependencies has no error.
 */
export function describeHealth(
  health: HealthResult,
  failingDependencies: readonly string[],
): { messages: string[]; error: string | undefined } {
  const messages = [...health.messages];
  if (failingDependencies.length > 0) messages.push(`${failingDependencies.length} failing dependencies`);
  const parts: string[] = [];
  if (health.level !== 'healthy') parts.push('required changes detected');
  if (failingDependencies.length > 0) parts.push('required dependencies are failing');
  return { messages, error: parts.length > 0 ? parts.join('; ') : undefined };
}
