import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { estimate } from '../engine/estimate.js'
import { DomainError } from '../errors.js'
import { domainProblem } from '../plugins/problem.js'
import { fieldChecker } from '../plugins/validation.js'
import { EstimateRequest } from '../schemas/estimate.js'
import { BATCH_LIMITS, BatchRequest, BatchResponse, type BatchResult } from '../schemas/integration.js'
import { plainJson } from '../plugins/serialization.js'
import { problemResponses } from '../schemas/responses.js'
import { ViewQuery } from '../schemas/query.js'
import { summary } from '../engine/summary.js'

const batchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Each scenario is checked exactly as POST /estimate checks its body: strictly, every error reported.
  const check = fieldChecker(EstimateRequest, 'body')

  app.post('/estimate/batch', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'Many scenarios in one call, each answered on its own',
      description: `\`scenarios\` holds 1 to ${BATCH_LIMITS.scenarios} POST /estimate bodies (and the whole request stays within the body limit, 64 KiB by default). \`results\` answers each, in order: \`{status: 200, estimate}\`, or \`{status: 4xx, problem}\` with the problem document POST /estimate would have given, its pointers into this batch (/scenarios/2/pods). One bad scenario does not sink the rest; the call itself answers 200. \`?view=summary\`: each estimate as POST /estimate?view=summary answers it.`,
      querystring: ViewQuery,
      body: BatchRequest,
      response: { 200: BatchResponse, ...problemResponses }
    }
  }, async (request) => {
    // The problem POST /estimate would give, its pointers into this batch (/scenarios/2/pods).
    const problem = (i: number, err: DomainError, detail: string): BatchResult => {
      const inBatch = err.mapErrors((e) => ({ pointer: `/scenarios/${i}${e.pointer === '/' ? '' : e.pointer}`, detail: e.detail }), `Scenario ${i}: ${detail}`)
      return { status: err.status, problem: domainProblem(request, inBatch) }
    }
    const results = request.body.scenarios.map((scenario, i): BatchResult => {
      const errors = check(scenario)
      if (errors.length > 0) {
        return problem(i, new DomainError(errors, 400), `not a valid scenario: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`)
      }
      try {
        const answer = estimate(scenario as EstimateRequest, app.models)
        return { status: 200, estimate: request.query.view === 'summary' ? summary(answer) : answer }
      } catch (err) {
        if (!(err instanceof DomainError)) throw err
        return problem(i, err, err.message)
      }
    })
    return { results }
  })
}

export default batchRoutes
