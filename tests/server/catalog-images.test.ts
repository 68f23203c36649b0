// Apps@Work images: checked by their decoded content on upload, thumbnailed, and served by hash with immutable, inert headers.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand } from '../../src/server/admin-api/admin-cli/admin-command';
import { CATALOG_IMAGE_PATH, MAX_IMAGE_BYTES } from '../../src/shared/catalog-protocol';
import { adminUpload, createApp, png } from './catalog-fixture';
import { TestServer } from './server-fixture';

interface AppView {
  icon: { sha256: string; width: number; height: number; thumbnailSha256: string } | null;
  screenshots: { sha256: string; caption: string; thumbnailSha256: string }[];
}

describe('catalog images', () => {
  let t: TestServer;
  let appId: string;
  beforeAll(async () => {
    t = await TestServer.start();
    ({ id: appId } = await createApp(t));
  });
  afterAll(async () => {
    await t.stop();
  });

  const image = (sha256: string, headers: Record<string, string> = {}) => t.server.app.inject({ method: 'GET', url: `${CATALOG_IMAGE_PATH}/${sha256}`, headers });

  it('refuses an SVG renamed to .png, a truncated PNG, other formats and oversized images with a 4xx and one sentence', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script><rect width="64" height="64"/></svg>');
    const whole = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    const small = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } }).gif().toBuffer();
    const huge = await sharp({ create: { width: 5000, height: 10, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const cases: [string, Buffer, number, RegExp][] = [
      ['a renamed SVG', svg, 415, /this file is an SVG/],
      ['a truncated PNG', whole.subarray(0, Math.floor(whole.length / 2)), 400, /truncated or corrupt/],
      ['a truncated small PNG (no thumbnail)', small.subarray(0, Math.floor(small.length * 0.8)), 400, /truncated or corrupt/],
      ['a GIF', gif, 415, /Only PNG, JPEG and WebP/],
      ['text', Buffer.from('not an image at all'), 415, /not an image/],
      ['5000 pixels wide', huge, 400, /at most 4096/],
      ['over the byte cap', Buffer.concat([whole, Buffer.alloc(MAX_IMAGE_BYTES)]), 413, /larger than/],
    ];
    for (const [what, bytes, status, message] of cases) {
      const response = await adminUpload(t, 'PUT', `/apps/${appId}/icon`, bytes);
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      expect(response.json<{ message: string }>().message, what).toMatch(message);
      expect(response.json<{ message: string }>().message.split('. ').length, what).toBe(1);
    }
    const json = await t.admin('PUT', `/apps/${appId}/icon`, { image: 'x' });
    expect(json.statusCode).toBe(415);
    expect((await t.adminOk<AppView>('GET', `/apps/${appId}`)).icon).toBeNull();
  });

  it('stores an icon and a thumbnail, and serves both with an ETag, immutable caching, nosniff and a CSP; 304 on If-None-Match', async () => {
    const upload = await adminUpload(t, 'PUT', `/apps/${appId}/icon`, await png(512, 512));
    expect(upload.statusCode, upload.body).toBe(200);
    const { icon } = upload.json<AppView>();
    expect(icon).toMatchObject({ width: 512, height: 512 });
    expect(icon!.thumbnailSha256).not.toBe(icon!.sha256);

    const original = await image(icon!.sha256);
    expect(original.statusCode).toBe(200);
    expect(original.headers).toMatchObject({
      'content-type': 'image/png',
      etag: `"${icon!.sha256}"`,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
    });
    expect((await sharp(original.rawPayload).metadata()).width).toBe(512);
    const thumbnail = await image(icon!.thumbnailSha256);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumbnail.rawPayload).metadata()).width).toBe(256);

    const again = await image(icon!.sha256, { 'if-none-match': `"${icon!.sha256}"` });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers.etag).toBe(`"${icon!.sha256}"`);
  });

  it('serves only hashes an app names, and a bad hash is a 400', async () => {
    expect((await image('0'.repeat(64))).statusCode).toBe(404);
    expect((await image('not-a-hash')).statusCode).toBe(400);
    // A package is in the content store too, but is no image: its hash opens nothing here.
    const pkg = await adminUpload(t, 'PUT', `/apps/${appId}/package`, Buffer.from('package bytes'));
    const { package: stored } = pkg.json<{ package: { sha256: string } }>();
    expect((await image(stored.sha256)).statusCode).toBe(404);
  });

  it('keeps screenshots in order with captions, reorders them, and stops serving one once removed', async () => {
    const add = async (colour: string, caption: string, position?: number) => {
      const response = await adminUpload(t, 'POST', `/apps/${appId}/screenshots?caption=${encodeURIComponent(caption)}${position === undefined ? '' : `&position=${position}`}`, await png(800, 500, colour));
      expect(response.statusCode, response.body).toBe(201);
      return response.json<AppView>().screenshots;
    };
    await add('#ff0000', 'First');
    await add('#00ff00', 'Second');
    const three = await add('#0000ff', 'Zeroth', 0);
    expect(three.map((s) => s.caption)).toEqual(['Zeroth', 'First', 'Second']);
    const [zeroth, first, second] = three;
    const reordered = await t.adminOk<AppView>('PUT', `/apps/${appId}/screenshots`, {
      screenshots: [
        { sha256: second!.sha256, caption: 'Now first' },
        { sha256: zeroth!.sha256, caption: 'Zeroth' },
      ],
    });
    expect(reordered.screenshots.map((s) => s.caption)).toEqual(['Now first', 'Zeroth']);
    expect((await image(first!.sha256)).statusCode).toBe(404);
    expect((await image(second!.sha256)).statusCode).toBe(200);
    const unknown = await t.admin('PUT', `/apps/${appId}/screenshots`, { screenshots: [{ sha256: first!.sha256, caption: 'x' }] });
    expect(unknown.statusCode).toBe(400);
  });

  it('uploads an icon and a screenshot from files with the admin CLI, streamed', async () => {
    const url = await t.server.listen();
    const { id } = await createApp(t, { name: 'From the CLI', bundleId: 'com.example.cli' });
    const file = path.join(path.dirname(t.dataDir), 'shot.png');
    await writeFile(file, await png(640, 400, '#00aa88'));
    const run = async (...args: string[]) => {
      const printed: string[] = [];
      await adminCommand((text) => printed.push(text)).parseAsync(['--server', url, '--token', t.adminToken, '--json', 'apps', ...args], { from: 'user' });
      return JSON.parse(printed.join('\n')) as AppView;
    };
    expect((await run('upload-icon', id, file)).icon).toMatchObject({ width: 640, height: 400 });
    expect((await run('add-screenshot', id, file, '--caption', 'Drawn in the test')).screenshots.map((s) => s.caption)).toEqual(['Drawn in the test']);
  });
});
