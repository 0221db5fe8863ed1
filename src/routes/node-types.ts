import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { allocatable } from '../engine/capacity.js'
import { DomainError } from '../errors.js'
import type { NodePrice } from '../models/schema.js'
import { citedSources } from '../schemas/common.js'
import { NodeTypeList, NodeTypeQuery } from '../schemas/node-types.js'
import { problemResponses } from '../schemas/responses.js'
import { HOURS_PER_MONTH, round } from '../units.js'

const priceOut = (p: NodePrice) => ({
  region: p.region,
  currency: p.currency,
  asOf: p.asOf,
  hourly: p.hourly,
  monthly: round(p.hourly * HOURS_PER_MONTH, 2),
  ...(p.spotHourly === undefined ? {} : { spotHourly: p.spotHourly }),
  ...(p.commitment1YearHourly === undefined ? {} : { commitment1YearHourly: p.commitment1YearHourly }),
  ...(p.commitment3YearHourly === undefined ? {} : { commitment3YearHourly: p.commitment3YearHourly }),
  sources: p.sources
})

const nodeTypeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The node catalogs never change while the process runs, so the list is built once.
  const nodeTypes = [...app.models.nodeTypes.values()].map(({ nodeCatalog, nodeType }) => {
    const mode = (nodeCatalog.networkModes[0] as { id: string }).id
    const maxPods = nodeType.maxPods[mode] as number
    const free = allocatable({ ...nodeType, maxPods, kubeletMemoryGiB: nodeType.memoryGiB * nodeCatalog.kubeletMemory.capacityFraction, reservation: nodeCatalog.reservation })
    const ids = [...nodeType.sources, ...nodeType.prices.flatMap((p) => p.sources), ...(nodeType.gpu?.sources ?? []), ...nodeCatalog.reservation.sources, ...nodeCatalog.kubeletMemory.sources]
    return {
      id: nodeType.id,
      provider: nodeCatalog.provider,
      vcpu: nodeType.vcpu,
      memoryGiB: nodeType.memoryGiB,
      arch: nodeType.arch,
      family: nodeType.family,
      ...(nodeType.gpu === undefined ? {} : { gpu: { count: nodeType.gpu.count, model: nodeType.gpu.model, memoryGiB: nodeType.gpu.memoryGiB } }),
      maxPods: nodeType.maxPods,
      defaultNetworkMode: mode,
      allocatable: { cpuCores: round(free.cpuCores), memoryGiB: round(free.memoryGiB) },
      prices: nodeType.prices.map(priceOut),
      sources: citedSources(ids, nodeCatalog.sources)
    }
  })
  app.get('/node-types', {
    schema: {
      tags: ['node-types'],
      summary: 'Node types with sizes, max pods, allocatable and list prices',
      description: 'Every price carries the date of the price list it was read from (`asOf`) and its sources. Filter with ?provider=aws, ?region=eu-west-1 (that region\'s prices only), ?arch=arm64 or ?family=gpu. Use an id as cluster.nodeType and a region as cluster.region in POST /estimate.',
      querystring: NodeTypeQuery,
      response: { 200: NodeTypeList, ...problemResponses }
    }
  }, async (request) => {
    const { provider, region, arch, family } = request.query
    const matching = nodeTypes.filter((n) =>
      (provider === undefined || n.provider === provider) && (arch === undefined || n.arch === arch) && (family === undefined || n.family === family))
    if (region === undefined) return { nodeTypes: matching }
    const priced = matching.filter((n) => n.prices.some((p) => p.region === region))
    if (priced.length === 0 && matching.length > 0) {
      const regions = [...new Set(matching.flatMap((n) => n.prices.map((p) => p.region)))].sort().join(', ')
      const which = provider === undefined ? 'node type' : `${provider} node type`
      throw new DomainError([{ pointer: '/region', detail: `no ${which} is priced in region "${region}"; priced regions: ${regions}` }])
    }
    return { nodeTypes: priced.map((n) => ({ ...n, prices: n.prices.filter((p) => p.region === region) })) }
  })
}

export default nodeTypeRoutes
