/**
 * Names what a path is when it is not a regular file, for errors that refuse to read one: a FIFO
 * blocks its reader until a writer comes, and a device such as /dev/zero never ends.
 */
import type { Stats } from 'node:fs';

export function fileKind(stats: Pick<Stats, 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'isDirectory'>): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return stats.isSocket() ? 'a socket' : 'an unknown kind of file';
}
