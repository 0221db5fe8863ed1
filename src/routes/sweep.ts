import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CSV_CONTENT_TYPE, preferredFormat, sweepCsv } from '../csv.js'
import { sweep } from '../engine/sweep.js'
import { SWEEP_LIMITS, SweepRequest, SweepResponse } from '../schemas/integration.js'
import { FormatQuery } from '../schemas/query.js'
import { plainJson } from '../plugins/serialization.js'
import { problemResponses } from '../schemas/responses.js'

const sweepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/estimate/sweep', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'Curves for plots: one scenario priced across a range of pods, traffic, services or nodes',
      description: `Prices \`scenario\` (any POST /estimate body) at \`steps\` values of \`vary\` from \`from\` to \`to\`, linear or log, and answers one series per mesh, each point with the expected CPU, memory, monthly cost and additional nodes and the low and high bounds beside them. Each point is what POST /estimate answers for that value. Limits: ${SWEEP_LIMITS.steps} points per series, ${SWEEP_LIMITS.points} in all; past them, a 400 problem. \`?format=csv\` or \`Accept: text/csv\`: one row per mesh and point.`,
      querystring: FormatQuery,
      body: SweepRequest,
      response: {
        200: {
          description: 'One series per mesh',
          content: {
            'application/json': { schema: SweepResponse },
            'text/csv': { schema: Type.String({ description: 'one row per mesh and point' }) }
          }
        },
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const result = sweep(request.body, app.catalog) // a DomainError becomes its problem document (plugins/problem.ts)
    reply.header('vary', 'accept')
    if (preferredFormat(request.query.format, request.headers.accept) === 'csv') {
      return reply.type(CSV_CONTENT_TYPE).header('content-disposition', 'inline; filename="meshcost-sweep.csv"').send(sweepCsv(result))
    }
    return reply.send(result)
  })
}

export default sweepRoutes
