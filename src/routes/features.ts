import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { featureRows } from '../engine/recommend.js'
import { FeatureMatrix } from '../schemas/recommend.js'
import { problemResponses } from '../schemas/responses.js'

const NAMES: Record<string, string> = {
  proxy: 'Proxy',
  mtls: 'mTLS',
  trafficSplitting: 'Traffic splitting',
  circuitBreaking: 'Circuit breaking',
  rateLimiting: 'Rate limiting',
  retriesTimeouts: 'Retries/timeouts',
  multiCluster: 'Multi-cluster',
  observability: 'Observability',
  complexity: 'Complexity',
  cncfStatus: 'CNCF status'
}

const featureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The models never change while the process runs, so the matrix is built once.
  const meshes = [...app.models.meshes.values()]
  let changed = 0
  const features = featureRows(app.models.decision).map(({ id, requirement }) => ({
    id,
    name: NAMES[id] ?? id,
    ...(requirement === undefined ? {} : { requirement }),
    cells: Object.fromEntries(meshes.map((mesh) => {
      const cell = mesh.features[id]
      if (cell.seed !== undefined) changed++
      return [mesh.id, {
        support: cell.support ?? null,
        how: cell.detail,
        ...(cell.since === undefined ? {} : { since: cell.since }),
        ...(cell.seed === undefined ? {} : { seed: cell.seed }),
        sources: cell.sources.flatMap((s) => mesh.sources[s] === undefined ? [] : [{ id: s, ...mesh.sources[s] }])
      }]
    }))
  }))
  const matrix = {
    meshes: meshes.map(({ id, name, version, revised }) => ({ id, name, version, revised })),
    features,
    changedSinceSeed: changed
  }

  app.get('/features', {
    schema: {
      tags: ['decide'],
      summary: 'The feature matrix: features as rows, meshes as columns, every cell sourced',
      description: 'Each cell: support (yes, no, partial; null for descriptive rows), how (the API or mechanism), the version it holds from, its sources, and the seed article\'s original value where the current docs differ. Rows marked with a requirement are what POST /recommend checks.',
      response: { 200: FeatureMatrix, ...problemResponses }
    }
  }, async () => matrix)
}

export default featureRoutes
