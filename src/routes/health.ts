import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { sendProblem } from '../plugins/problem.js'
import { problem } from '../schemas/responses.js'

const Health = Type.Object({ status: Type.Literal('ok') })
const Ready = Type.Object({
  status: Type.Literal('ready'),
  models: Type.Object({ meshes: Type.Integer(), nodeTypes: Type.Integer(), priceBooks: Type.Integer() })
})

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: Health } },
    logLevel: 'warn' // probes every few seconds would drown the request log
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: models loaded and valid, not shutting down, not overloaded',
      description: 'A 503 problem document from SIGTERM on (the replica still answers every other route while the load balancers stop sending it traffic), and while the replica sheds load.',
      response: { 200: Ready, 503: problem('Shutting down (or, under overload, shedding load): send traffic to another replica') }
    },
    logLevel: 'warn'
  }, async (request, reply) => {
    if (app.shuttingDown) return sendProblem(request, reply, 503, 'The replica is shutting down; it still answers requests until the load balancers stop sending them.', { type: 'shutting-down' })
    if (app.overloaded()) return sendProblem(request, reply, 503, 'The replica is overloaded and sheds load; it is ready again once its event loop and memory are back under their limits.', { type: 'overloaded' })
    return {
      status: 'ready' as const,
      models: { meshes: app.models.meshes.size, nodeTypes: app.models.nodeTypes.size, priceBooks: app.models.priceBooks.size }
    }
  })
}

export default healthRoutes
