// npm run bench only (BENCH_BASELINE=1): the same request and response schemas as POST /estimate, with an
// answer computed once at registration. Benchmarking both in one process isolates the estimate's own cost
// from Fastify, validation, serialisation, hooks and the socket. Hidden from OpenAPI; never registered
// in production.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { estimate } from '../engine/estimate.js'
import { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'
import { problemResponses } from '../schemas/responses.js'

export const BENCH_BASELINE_URL = '/__bench/estimate-baseline'
/** The scenario the bench posts to both routes. */
export const BENCH_SCENARIO = { pods: 100 } as const

const benchBaselineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const answer = estimate({ ...BENCH_SCENARIO }, app.catalog)
  app.post(BENCH_BASELINE_URL, {
    schema: { hide: true, body: EstimateRequest, response: { 200: EstimateResponse, ...problemResponses } }
  }, async () => answer)
}

export default benchBaselineRoutes
