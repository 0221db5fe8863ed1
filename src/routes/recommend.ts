import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { recommend } from '../engine/recommend.js'
import { DomainError } from '../errors.js'
import { RecommendRequest, RecommendResponse } from '../schemas/recommend.js'
import { problemResponses } from '../schemas/responses.js'

const recommendRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/recommend', {
    schema: {
      tags: ['decide'],
      summary: 'Do we need a mesh, which one, and how do we get there?',
      description: 'The seed article\'s decision framework on the models: `needsMesh` (yes or probably not, with the reasons), every mesh ranked best fit first with its missing features and plain-sentence reasons (and, when `pods` is given, its overhead, monthly cost and delta against `current.mesh`), and the migration path from what the cluster runs today. A mesh missing a required feature never ranks above one that has it. The rules and their sources are in models/decision.yaml.',
      body: RecommendRequest,
      response: { 200: RecommendResponse, ...problemResponses }
    }
  }, async (request) => {
    if (app.models.decision === undefined) {
      throw new DomainError([], 503, 'no-decision-rules', 'This model set has no decision rules (models/decision.yaml), so POST /recommend cannot answer.')
    }
    return recommend(request.body, app.models)
  })
}

export default recommendRoutes
