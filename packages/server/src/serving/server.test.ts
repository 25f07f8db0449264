import { afterEach, describe, expect, it } from 'vitest';
import { startScoringServer, type RunningScoringServer } from './server.js';
import { affineModel } from './__tests__/models.js';

let server: RunningScoringServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startScoringServer', () => {
  it('listens on a real port and scores concurrent requests over keep-alive HTTP', async () => {
    const model = affineModel({ delayMs: 2 });
    server = await startScoringServer({ modelUri: 'test:', port: 0, logger: false, load: async () => model });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('\n');
    const replies = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        fetch(`${server!.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [[i, i, i, i]] }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { predictions: number[][] } })),
      ),
    );
    replies.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.body.predictions).toEqual([[2 * i + 1, 2 * i + 1, 2 * i + 1, 2 * i + 1]]);
    });
    const bad = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/html' }, body: '<p>' });
    expect(bad.status).toBe(415);
  });

  it('close() disposes the model and is idempotent', async () => {
    let disposed = 0;
    const model = { ...affineModel(), dispose: async () => void disposed++ };
    server = await startScoringServer({ modelUri: 'test:', port: 0, logger: false, load: async () => model });
    await Promise.all([server.close(), server.close()]);
    expect(disposed).toBe(1);
  });

  it('a model that fails to load rejects', async () => {
    await expect(startScoringServer({ modelUri: 'nope:', port: 0, logger: false, load: async () => Promise.reject(new Error('no such model')) })).rejects.toThrow(
      'no such model',
    );
  });
});
