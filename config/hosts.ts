/** This process's host identity (issue 14), from the settings or derived from the machine. */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultHostId, type HostId, type HostOwner } from '../domain/hosts';
import type { Settings } from './settings';

/** The configured host id, else hostname + a hash of the (absolute) data dir. */
export function hostIdOf(settings: Pick<Settings, 'hostId' | 'dataDir'>): HostId {
  if (settings.hostId) return settings.hostId;
  const digest = createHash('sha256').update(settings.dataDir).digest('hex');
  return defaultHostId(hostname(), digest);
}

/** The owner recorded on runs this process starts: this host, unless `hostId` says another. */
export function hostOwnerOf(
  settings: Pick<Settings, 'hostId' | 'dataDir' | 'hostWaitSeconds'>,
  hostId: HostId = hostIdOf(settings),
): HostOwner {
  return { id: hostId, waitForHostMs: settings.hostWaitSeconds * 1000 };
}
