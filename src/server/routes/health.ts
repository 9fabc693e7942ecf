import type { FastifyInstance } from 'fastify';
import { HealthSchema } from '../schemas/common.js';

export function registerHealthRoutes(app: FastifyInstance) {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness; no authentication',
        security: [],
        response: { 200: HealthSchema },
      },
    },
    async () => {
      // A trivial read proves the database file is still open and readable.
      await app.services.engine.stores.events.maxSeq(0);
      return { status: 'ok' as const };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
