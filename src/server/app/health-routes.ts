// Liveness and readiness for load balancers and orchestrators, and the gate that answers 503 at once while the database is down.
import type { FastifyInstance } from 'fastify';
import { faultHttpError } from '../db/database-faults';
import type { DatabaseHealth } from '../db/database-health';

/** Paths that answer whatever the database does. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/**
 * `/healthz`: the process is up and its event loop answers (restart it if not). `/readyz`: it can do its work now,
 * the database answers and takes writes and the server is not draining (send it no traffic if not).
 */
export function healthRoutes(app: FastifyInstance, health: DatabaseHealth, connections: { readonly draining: boolean }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (connections.draining) return reply.code(503).send({ error: 'shutting_down', message: 'The server is shutting down.' });
    const readiness = await health.readiness();
    if (readiness.ready) return { status: 'ready' };
    const answer = faultHttpError(readiness.fault, health.retryAfterSeconds);
    return reply.code(503).headers(answer.headers).send({ error: answer.code, message: answer.message });
  });

  // While the database is known to be unreachable, a request that needs it would only wait for a connection timeout.
  app.addHook('onRequest', async (request) => {
    const outage = health.outage;
    if (outage === null || HEALTH_PATHS.has(request.url.split('?')[0]!)) return;
    throw faultHttpError(outage, health.retryAfterSeconds);
  });
}
