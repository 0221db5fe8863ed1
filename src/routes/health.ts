import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

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
    schema: { tags: ['operations'], summary: 'Readiness: models loaded and valid', response: { 200: Ready } },
    logLevel: 'warn'
  }, async () => ({
    status: 'ready' as const,
    models: { meshes: app.catalog.meshes.size, nodeTypes: app.catalog.nodeTypes.size, priceBooks: app.catalog.priceBooks.size }
  }))
}

export default healthRoutes
