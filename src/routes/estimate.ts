import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { CSV_CONTENT_TYPE, estimateCsv, preferredFormat } from '../encoders/csv.js'
import { estimate, estimateSummary } from '../engine/answer.js'
import { DomainError } from '../errors.js'
import { sendProblem } from '../plugins/problem.js'
import { plainJson } from '../plugins/serialization.js'
import { EstimateRequest, EstimateResponse, EstimateSummaryResponse, type View } from '../schemas/estimate.js'
import { EstimateQuery, FormatQuery, queryPointer, queryToRequest, type CsvRows, type Format } from '../schemas/query.js'
import { problemResponses } from '../schemas/responses.js'

const CSV_DESCRIPTION = 'With `Accept: text/csv` or `?format=csv`: one row per mesh and component (or, with `&rows=resource`, per mesh, component and priced resource), a FinOps FOCUS 1.2 column name only where its definition holds for an estimate, x_ names otherwise (an estimate is not a bill; docs/integrations.md lists every column).'

/** The 200 answer in JSON or CSV, documented as both. */
export const estimateOk = {
  description: 'The estimate',
  content: {
    'application/json': { schema: Type.Union([EstimateResponse, EstimateSummaryResponse], { description: 'EstimateResponse, or EstimateSummaryResponse with view=summary' }) },
    'text/csv': { schema: Type.String({ description: CSV_DESCRIPTION }) }
  }
}

const VIEW_DESCRIPTION = ' `?view=summary`: per mesh the totals, capacity and cost only (a few KB for six meshes instead of about 37).'

/** Send an estimate in the format and view the client asked for. */
export function sendEstimate (request: FastifyRequest, reply: FastifyReply, body: EstimateRequest, format: Format | undefined, rows: CsvRows = 'component', view: View = 'full'): FastifyReply {
  const csv = preferredFormat(format, request.headers.accept) === 'csv'
  if (csv && view === 'summary') {
    return sendProblem(request, reply, 400, 'view=summary applies to JSON answers; CSV chooses its rows with rows=component or rows=resource.', { type: 'invalid-request', errors: [{ pointer: '/view', detail: 'must be full (or absent) with CSV' }] })
  }
  reply.header('vary', 'accept')
  if (view === 'summary') return reply.send(estimateSummary(body, request.server.models))
  const result = estimate(body, request.server.models)
  if (csv) {
    return reply
      .type(CSV_CONTENT_TYPE)
      .header('content-disposition', 'inline; filename="meshcost-estimate.csv"')
      .send(estimateCsv(result, body, new Date(), rows))
  }
  return reply.send(result)
}

const estimateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/estimate', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'Estimate the overhead and cost of service meshes',
      description: 'For each requested mesh: every component with its replicas, requests and usage range, totals on the chosen basis, the nodes needed with and without the mesh, and the cost at unit prices and in additional nodes. Only `pods` is required; every default applied is listed in `assumptions.defaultsApplied`. ' + CSV_DESCRIPTION + VIEW_DESCRIPTION,
      querystring: FormatQuery,
      body: EstimateRequest,
      response: { 200: estimateOk, ...problemResponses }
    }
  }, async (request, reply) => sendEstimate(request, reply, request.body, request.query.format, request.query.rows, request.query.view))

  app.get('/estimate', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'The same estimate, with the scenario as query parameters (dashboards, spreadsheets)',
      description: 'Every field of the POST /estimate body as a flat query parameter: `/estimate?pods=100&meshes=istio,linkerd&nodeType=aws/m5.large&region=us-east-1`. Same validation and the same answer as the POST; errors name the query parameter. For Grafana\'s Infinity data source and spreadsheets\' URL import (`&format=csv`). ' + CSV_DESCRIPTION + VIEW_DESCRIPTION,
      querystring: EstimateQuery,
      headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ description: 'the ETag of an answer already held: 304 Not Modified, no body, when it is still the answer' })) }),
      response: {
        200: {
          ...estimateOk,
          headers: {
            etag: { type: 'string', description: 'strong tag of this answer (a hash of its bytes); send it back in If-None-Match' },
            'cache-control': { type: 'string', description: 'public, max-age=CACHE_MAX_AGE_S (300 by default): the models change only when the service restarts' }
          }
        },
        304: { description: 'Not Modified: If-None-Match named the current ETag; no body', type: 'null' },
        ...problemResponses
      }
    },
    // ?meshes=istio&meshes=linkerd means the same as ?meshes=istio,linkerd; so for nodePools
    preValidation: async (request) => {
      const query = request.query as Record<string, unknown>
      for (const list of ['meshes', 'nodePools']) {
        const value = query[list]
        if (Array.isArray(value) && value.every((m) => typeof m === 'string')) query[list] = value.join(',')
      }
    }
  }, async (request, reply) => {
    const body = queryToRequest(request.query) // a half-given group is a 400 DomainError
    try {
      return sendEstimate(request, reply, body, request.query.format, request.query.rows, request.query.view)
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      throw err.mapErrors((e) => ({ pointer: queryPointer(e.pointer), detail: e.detail })) // name the query parameter, not the body field
    }
  })
}

export default estimateRoutes
