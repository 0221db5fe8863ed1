import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { CSV_CONTENT_TYPE, estimateCsv, preferredFormat } from '../csv.js'
import { estimate } from '../engine/estimate.js'
import { DomainError } from '../errors.js'
import { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'
import { EstimateQuery, FormatQuery, queryPointer, queryToRequest, type CsvRows, type Format } from '../schemas/query.js'
import { problemResponses } from '../schemas/responses.js'

const CSV_DESCRIPTION = 'With `Accept: text/csv` or `?format=csv`: one row per mesh and component (or, with `&rows=resource`, per mesh, component and priced resource), FOCUS column names where the meaning is the same and x_ names for ours (FOCUS-aligned, not FOCUS-conformant: an estimate is not a bill).'

/** The 200 answer in JSON or CSV, documented as both. */
export const estimateOk = {
  description: 'The estimate',
  content: {
    'application/json': { schema: EstimateResponse },
    'text/csv': { schema: Type.String({ description: CSV_DESCRIPTION }) }
  }
}

/** Send an estimate in the format the client asked for. */
export function sendEstimate (request: FastifyRequest, reply: FastifyReply, body: EstimateRequest, format: Format | undefined, rows: CsvRows = 'component'): FastifyReply {
  const result = estimate(body, request.server.catalog)
  reply.header('vary', 'accept')
  if (preferredFormat(format, request.headers.accept) === 'csv') {
    return reply
      .type(CSV_CONTENT_TYPE)
      .header('content-disposition', 'inline; filename="meshcost-estimate.csv"')
      .send(estimateCsv(result, body, new Date(), rows))
  }
  return reply.send(result)
}

const estimateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/estimate', {
    schema: {
      tags: ['estimate'],
      summary: 'Estimate the overhead and cost of service meshes',
      description: 'For each requested mesh: every component with its replicas, requests and usage range, totals on the chosen basis, the nodes needed with and without the mesh, and the cost at unit prices and in additional nodes. Only `pods` is required; every default applied is listed in `assumptions.defaultsApplied`. ' + CSV_DESCRIPTION,
      querystring: FormatQuery,
      body: EstimateRequest,
      response: { 200: estimateOk, ...problemResponses }
    }
  }, async (request, reply) => sendEstimate(request, reply, request.body, request.query.format, request.query.rows))

  app.get('/estimate', {
    schema: {
      tags: ['estimate'],
      summary: 'The same estimate, with the scenario as query parameters (dashboards, spreadsheets)',
      description: 'Every field of the POST /estimate body as a flat query parameter: `/estimate?pods=100&meshes=istio,linkerd&nodeType=aws/m5.large&region=us-east-1`. Same validation and the same answer as the POST; errors name the query parameter. For Grafana\'s Infinity data source and spreadsheets\' URL import (`&format=csv`). ' + CSV_DESCRIPTION,
      querystring: EstimateQuery,
      response: { 200: estimateOk, ...problemResponses }
    },
    // ?meshes=istio&meshes=linkerd means the same as ?meshes=istio,linkerd
    preValidation: async (request) => {
      const query = request.query as Record<string, unknown>
      if (Array.isArray(query.meshes) && query.meshes.every((m) => typeof m === 'string')) query.meshes = query.meshes.join(',')
    }
  }, async (request, reply) => {
    const body = queryToRequest(request.query) // a half-given group is a 400 DomainError
    try {
      return sendEstimate(request, reply, body, request.query.format, request.query.rows)
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      throw err.mapErrors((e) => ({ pointer: queryPointer(e.pointer), detail: e.detail })) // name the query parameter, not the body field
    }
  })
}

export default estimateRoutes
