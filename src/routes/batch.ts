import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { estimate, estimateSummary } from '../engine/answer.js'
import { describeErrors, DomainError } from '../errors.js'
import { domainProblem } from '../plugins/problem.js'
import { fieldChecker } from '../plugins/validation.js'
import { EstimateRequest } from '../schemas/estimate.js'
import { BATCH_LIMITS, BatchLine, BatchRequest, BatchResponse, type BatchResult } from '../schemas/integration.js'
import { plainJson } from '../plugins/serialization.js'
import { problemResponses } from '../schemas/responses.js'
import { View } from '../schemas/estimate.js'
import { NDJSON_CONTENT_TYPE, streamLines, wantsNdjson } from '../encoders/stream.js'
import { Type } from 'typebox'

const BatchQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('ndjson')], { description: 'json (default); ndjson streams one line per scenario as each is computed (also `Accept: application/x-ndjson`)' })),
  view: Type.Optional(View)
}, { additionalProperties: false })

const batchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Each scenario is checked exactly as POST /estimate checks its body: strictly, every error reported.
  const check = fieldChecker(EstimateRequest, 'body')

  app.post('/estimate/batch', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'Many scenarios in one call, each answered on its own',
      description: `\`scenarios\` holds 1 to ${BATCH_LIMITS.scenarios} POST /estimate bodies (and the whole request stays within the body limit, 64 KiB by default). \`results\` answers each, in order: \`{status: 200, estimate}\`, or \`{status: 4xx, problem}\` with the problem document POST /estimate would have given, its pointers into this batch (/scenarios/2/pods). One bad scenario does not sink the rest; the call itself answers 200. \`?view=summary\`: each estimate as POST /estimate?view=summary answers it.`,
      querystring: BatchQuery,
      body: BatchRequest,
      response: {
        200: {
          description: 'One result per scenario: a JSON document, or one NDJSON line each',
          content: {
            'application/json': { schema: BatchResponse },
            'application/x-ndjson': { schema: BatchLine }
          }
        },
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    // The problem POST /estimate would give, its pointers into this batch (/scenarios/2/pods).
    const problem = (i: number, err: DomainError, detail: string): BatchResult => {
      const inBatch = err.mapErrors((e) => ({ pointer: `/scenarios/${i}${e.pointer === '/' ? '' : e.pointer}`, detail: e.detail }), `Scenario ${i}: ${detail}`)
      return { status: err.status, problem: domainProblem(request, inBatch) }
    }
    const answer = (scenario: unknown, i: number): BatchResult => {
      const errors = check(scenario)
      if (errors.length > 0) {
        return problem(i, new DomainError(errors, 400), `not a valid scenario: ${describeErrors(errors)}`)
      }
      try {
        const body = scenario as EstimateRequest
        return { status: 200, estimate: request.query.view === 'summary' ? estimateSummary(body, app.models) : estimate(body, app.models) }
      } catch (err) {
        if (!(err instanceof DomainError)) throw err
        return problem(i, err, err.message)
      }
    }
    reply.header('vary', 'accept')
    const { scenarios } = request.body
    if (request.query.format === 'ndjson' || (request.query.format === undefined && wantsNdjson(request.headers.accept))) {
      // One scenario at a time as the client reads: no answer of the batch is held beyond its line.
      function * lines (): Generator<string> {
        for (let i = 0; i < scenarios.length; i++) yield JSON.stringify({ index: i, ...answer(scenarios[i], i) }) + '\n'
      }
      return reply
        .type(NDJSON_CONTENT_TYPE)
        .header('content-disposition', 'inline; filename="meshcost-batch.ndjson"')
        .send(streamLines(lines()) as never) // a stream: the JSON response schema does not apply
    }
    // JSON too is written as the client reads, one scenario's answer at a time: a batch is up to 100 estimates
    // (a few MB), which are neither computed nor held ahead of a client that reads slowly or not at all.
    function * json (): Generator<string> {
      yield '{"results":['
      for (let i = 0; i < scenarios.length; i++) yield (i === 0 ? '' : ',') + JSON.stringify(answer(scenarios[i], i))
      yield ']}'
    }
    return reply.type('application/json; charset=utf-8').send(streamLines(json()) as never) // a stream: the response schema does not apply
  })
}

export default batchRoutes
