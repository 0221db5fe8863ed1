import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { validate } from '../engine/validation.js'
import { problemResponses } from '../schemas/responses.js'
import { ValidationReport } from '../schemas/validation.js'

const validationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The models and evidence never change while the process runs: the check is computed once, on first use.
  let report: ValidationReport | undefined
  app.get('/validation', {
    schema: {
      tags: ['meshes'],
      summary: 'How well the usage models predict measurements (leave-one-source-out)',
      description: 'For each evidence source in models/evidence, every model is fitted without it and predicts that source\'s ' +
        'measured figures. Per mesh, component and resource: the figures, how many are within 2× and inside the predicted range, ' +
        'and every figure with its factor (measured ÷ predicted). The calibrations in GET /meshes/{id} only guard arithmetic; ' +
        'this is the prediction check.',
      response: { 200: ValidationReport, ...problemResponses }
    }
  }, async () => {
    report ??= validate(app.models.priors, app.models.evidence)
    return report
  })
}

export default validationRoutes
