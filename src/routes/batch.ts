import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifySchemaValidationError } from 'fastify'
import { STATUS_CODES } from 'node:http'
import { ScenarioError } from '../engine/errors.js'
import { estimate } from '../engine/estimate.js'
import { fieldErrors, validatorCompiler } from '../plugins/validation.js'
import type { Problem } from '../schemas/common.js'
import { EstimateRequest } from '../schemas/estimate.js'
import { BATCH_LIMITS, BatchRequest, BatchResponse, type BatchResult } from '../schemas/integration.js'
import { plainJson } from '../plugins/serialization.js'
import { problemResponses } from '../schemas/responses.js'
import { ViewQuery } from '../schemas/query.js'
import { summary } from '../engine/summary.js'

const PROBLEM_BASE = 'https://meshcost.dev/problems/' // as in plugins/problem.ts

const batchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Each scenario is checked exactly as POST /estimate checks its body: strictly, every error reported.
  const validate = validatorCompiler({ schema: EstimateRequest, method: 'POST', url: '/estimate', httpPart: 'body' }) as
    ((value: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null }

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
    const problem = (i: number, status: number, type: string, detail: string, errors: Array<{ pointer: string, detail: string }>): BatchResult => {
      const doc: Problem = {
        type: PROBLEM_BASE + type,
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: `Scenario ${i}: ${detail}`,
        instance: request.url.split('?')[0],
        requestId: String(request.id),
        errors: errors.map((e) => ({ pointer: `/scenarios/${i}${e.pointer === '/' ? '' : e.pointer}`, detail: e.detail }))
      }
      return { status, problem: doc }
    }
    const results = request.body.scenarios.map((scenario, i): BatchResult => {
      if (!validate(scenario)) {
        const errors = fieldErrors(validate.errors ?? [])
        return problem(i, 400, 'invalid-request', `not a valid scenario: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, errors)
      }
      try {
        const answer = estimate(scenario as EstimateRequest, app.catalog)
        return { status: 200, estimate: request.query.view === 'summary' ? summary(answer) : answer }
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err
        return problem(i, err.status, 'invalid-scenario', err.message, err.errors)
      }
    })
    return { results }
  })
}

export default batchRoutes
