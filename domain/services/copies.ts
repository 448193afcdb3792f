/**
 * How a service copy is named: its workflow (`service-<module>-<slot>`) and
 * the owner tag its processes carry (`service:<module>:<slot>`). One module
 * owns both, so the copy workflow, the supervisor and the janitor (which
 * reads a process's tag back to the workflow that owns it) cannot drift.
 */
import { ModuleId } from '../versions';

export const SERVICE_OWNER_PREFIX = 'service:';

/** A slot: the version it was started for and a random suffix (`v3-1a2b3c4d`); never reused. */
export const SLOT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/;

export function copyWorkflowId(moduleId: string, slot: string): string {
  return `service-${moduleId}-${slot}`;
}

export function serviceOwnerTag(moduleId: string, slot: string): string {
  return `${SERVICE_OWNER_PREFIX}${moduleId}:${slot}`;
}

/** The copy a tag names, or null when it is not a well-formed service tag. */
export function parseServiceOwner(tag: string): { moduleId: string; slot: string } | null {
  if (!tag.startsWith(SERVICE_OWNER_PREFIX)) return null;
  const rest = tag.slice(SERVICE_OWNER_PREFIX.length);
  const at = rest.lastIndexOf(':');
  if (at <= 0) return null;
  const moduleId = rest.slice(0, at);
  const slot = rest.slice(at + 1);
  return ModuleId.safeParse(moduleId).success && SLOT.test(slot) ? { moduleId, slot } : null;
}

/**
 * Workflow ids that may start, watch or swap the module's copies (prefixes):
 * while one runs, the module's released versions stay.
 */
export function moduleServiceWorkflowPrefixes(moduleId: string): string[] {
  return [
    `serve-${moduleId}`,
    `evolve-${moduleId}-`,
    `swap-${moduleId}-`,
    `service-${moduleId}-`,
    `versions-rollback-${moduleId}-`,
  ];
}
