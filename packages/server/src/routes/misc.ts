/** `/health` and `/version` (ref §1.5): plain text, outside the API prefixes. */
import type { FastifyInstance } from 'fastify';
import { LABLOG_VERSION } from '../version.js';

/** Registers `GET /health` (`OK`) and `GET /version` (lablog's version). */
export async function miscRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(LABLOG_VERSION));
}
