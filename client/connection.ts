/** Connections to Temporal built from validated settings (local, mTLS or API key). */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { hostOwnerOf } from '../config/hosts';
import type { Settings } from '../config/settings';
import { ownerInterceptor } from './hosts';

function tlsOptions(settings: Settings) {
  const tls = settings.temporal.tls;
  if (!tls) return settings.temporal.apiKey ? true : undefined;
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
    clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) },
  };
}

export function connectionOptions(settings: Settings): ConnectionOptions {
  return {
    address: settings.temporal.address,
    tls: tlsOptions(settings),
    apiKey: settings.temporal.apiKey,
    connectTimeout: 5_000,
  };
}

export function nativeConnectionOptions(settings: Settings): NativeConnectionOptions {
  return {
    address: settings.temporal.address,
    tls: tlsOptions(settings),
    apiKey: settings.temporal.apiKey,
  };
}

/** A client whose runs are owned by this host (or the one `hostId` names): see client/hosts.ts. */
export async function connectClient(settings: Settings): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(settings));
  return new Client({
    connection,
    namespace: settings.temporal.namespace,
    interceptors: { workflow: [ownerInterceptor(hostOwnerOf(settings))] },
  });
}
