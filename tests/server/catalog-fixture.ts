// Test helpers of Apps@Work: generated images, apps made through the admin API, raw uploads and signed device calls.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { MASTER_KEY_FILE } from '../../src/server/pki/master-key';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { ADMIN, DEVICE, type DeviceKeys } from './server-fixture';

/** A running server and its admin token: a TestServer, or a replica started on its database. */
export interface Served {
  server: AtworkServer;
  adminToken: string;
}

/**
 * Two servers on one database, as two replicas behind a load balancer: each in a data folder of its own under `root`,
 * sharing the database and the master key, nothing else (no folder of packages). Close `b`, then `a`.
 */
export async function startTwoReplicas(root: string, databaseUrl: string | undefined): Promise<{ a: Served; b: Served }> {
  const first = await startServer({ dataDir: path.join(root, 'a'), databaseUrl });
  const a = { server: first, adminToken: first.createdAdminToken! };
  await mkdir(path.join(root, 'b'), { mode: 0o700 });
  await copyFile(path.join(root, 'a', MASTER_KEY_FILE), path.join(root, 'b', MASTER_KEY_FILE));
  return { a, b: { server: await startServer({ dataDir: path.join(root, 'b'), databaseUrl }), adminToken: a.adminToken } };
}

export interface Device {
  deviceId: string;
  keys: DeviceKeys;
}

/** A PNG of one colour with a gradient, so it compresses like a picture rather than to nothing. */
export async function png(width: number, height: number, colour = '#3366ff'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="${colour}"/><stop offset="1" stop-color="#ffffff"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function createApp(t: Served, fields: Record<string, unknown> = {}): Promise<{ id: string }> {
  const response = await t.server.app.inject({
    method: 'POST',
    url: `${ADMIN}/apps`,
    headers: { authorization: `Bearer ${t.adminToken}` },
    payload: {
      name: 'Notes',
      bundleId: 'com.example.notes',
      version: '1.0',
      publisher: 'Example Inc.',
      category: 'Productivity',
      type: 'pkg',
      distribution: { kind: 'everyone' },
      ...fields,
    },
  });
  if (response.statusCode !== 201) throw new Error(`POST /apps -> ${response.statusCode} ${response.body}`);
  return response.json<{ id: string }>();
}

/** An admin upload of raw bytes (application/octet-stream). */
export function adminUpload(t: Served, method: 'PUT' | 'POST', url: string, bytes: Buffer | NodeJS.ReadableStream): Promise<LightMyRequestResponse> {
  return t.server.app.inject({
    method,
    url: `${ADMIN}${url}`,
    headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' },
    payload: bytes as Buffer,
  });
}

/** A device API call signed by the device's key, with any method and extra headers. */
export async function deviceCall(
  t: Served,
  device: Device,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  options: { payload?: unknown; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return t.server.app.inject({
    method,
    url: `${DEVICE}${url}`,
    headers: { authorization: `Bearer ${await signDeviceToken(device.keys.privateKey, device.deviceId)}`, ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload as object }),
  });
}
