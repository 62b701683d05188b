/**
 * Every resource kind a module may use, by name. `param`, `module` and `macro.*` are structural and
 * belong to the engine, so they are not here. Adding a kind is one import and one entry below.
 */
import { dockerContainer } from './docker/container.js';
import { dockerImage } from './docker/image.js';
import { dockerNetwork } from './docker/network.js';
import { dockerVolume } from './docker/volume.js';
import { fileContent } from './file/content.js';
import { fileDirectory } from './file/directory.js';
import { fileFetch } from './file/fetch.js';
import { fileMode } from './file/mode.js';
import { fileOwner } from './file/owner.js';
import { packageApt } from './package/apt.js';
import { packageRpm } from './package/rpm.js';
import { healthcheckTask, task } from './shell/task.js';
import { filesystem } from './lvm/filesystem.js';
import { lvmLogicalVolume } from './lvm/logical-volume.js';
import { lvmVolumeGroup } from './lvm/volume-group.js';
import { taskQuery } from './shell/task-query.js';
import { systemdUnitState } from './systemd/unit-state.js';
import { waitPort } from './wait/port.js';
import { waitQuery } from './wait/query.js';
import type { ResourceDefinition } from './types.js';
import { suggestNames } from './suggest.js';
import { unarchive } from './archive/unarchive.js';
import { userGroup } from './user/group.js';
import { userUser } from './user/user.js';

const DEFINITIONS: readonly ResourceDefinition[] = [
  fileContent,
  fileDirectory,
  fileMode,
  fileOwner,
  task,
  healthcheckTask,
  taskQuery,
  waitQuery,
  waitPort,
  dockerImage,
  dockerContainer,
  dockerNetwork,
  dockerVolume,
  fileFetch,
  userUser,
  userGroup,
  packageApt,
  packageRpm,
  unarchive,
  systemdUnitState,
  lvmVolumeGroup,
  lvmLogicalVolume,
  filesystem,
];

const BY_KIND: ReadonlyMap<string, ResourceDefinition> = new Map(DEFINITIONS.map((def) => [def.kind, def]));

/** The definition of `kind` (`file.content`, `task.query`, ...), or undefined for an unknown kind. */
export function getResource(kind: string): ResourceDefinition | undefined {
  return BY_KIND.get(kind);
}

/** All registered kinds, sorted. */
export function resourceKinds(): string[] {
  return [...BY_KIND.keys()].sort();
}

/** Block kinds that are not resources but are still valid at the top of a module. */
const STRUCTURAL_KINDS = ['module', 'param'] as const;

/**
 * The message for a block whose kind is neither a resource nor structural, with the closest kinds as
 * suggestions (the same edit distance as unknown fields use). The distance allowed grows with the name,
 * so a short typo like `tsk` suggests `task` and not every four-letter kind.
 */
export function unknownKindMessage(kind: string, name: string): string {
  const maxDistance = Math.max(2, Math.floor(kind.length / 3));
  const candidates = suggestNames(kind, [...STRUCTURAL_KINDS, ...resourceKinds()], maxDistance).slice(0, 3);
  // Without a suggestion the text is the original's, word for word.
  const hint = candidates.length > 0 ? `. Maybe you meant: ${candidates.join(', ')}` : '';
  return `"${kind}" is not a valid resource type in "${kind}.${name}"${hint}`;
}
