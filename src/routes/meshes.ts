import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DomainError } from '../errors.js'
import { MeshList, MeshModel, MeshParams } from '../schemas/meshes.js'
import { problemResponses } from '../schemas/responses.js'

const meshRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/meshes', {
    schema: {
      tags: ['meshes'],
      summary: 'List the modelled meshes',
      description: 'Each mesh with its data-plane mode, the version its figures apply to, and its feature table.',
      response: { 200: MeshList, ...problemResponses }
    }
  }, async () => ({
    meshes: [...app.models.meshes.values()].map(({ id, name, mode, version, revised, summary, features }) =>
      ({ id, name, mode, version, revised, summary, features }))
  }))

  app.get('/meshes/:id', {
    schema: {
      tags: ['meshes'],
      summary: 'One mesh model, whole, with its sources',
      params: MeshParams,
      response: { 200: MeshModel, ...problemResponses }
    }
  }, async (request) => {
    const mesh = app.models.meshes.get(request.params.id)
    if (mesh === undefined) {
      throw new DomainError([], 404, 'unknown-mesh', `No mesh "${request.params.id}". Known meshes: ${[...app.models.meshes.keys()].join(', ')}`)
    }
    return mesh
  })
}

export default meshRoutes
