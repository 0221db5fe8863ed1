import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { estimate } from '../engine/estimate.js'
import { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'
import { problemResponses } from '../schemas/responses.js'

const estimateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/estimate', {
    schema: {
      tags: ['estimate'],
      summary: 'Estimate the overhead and cost of service meshes',
      description: 'For each requested mesh: every component with its replicas, requests and usage range, totals on the chosen basis, the nodes needed with and without the mesh, and the cost at unit prices and in additional nodes. Only `pods` is required; every default applied is listed in `assumptions.defaultsApplied`.',
      body: EstimateRequest,
      response: { 200: EstimateResponse, ...problemResponses }
    }
  }, async (request) => estimate(request.body, app.catalog))
}

export default estimateRoutes
