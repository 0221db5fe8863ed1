import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { allocatable } from '../engine/capacity.js'
import { DomainError } from '../errors.js'
import type { NodePrice, Source } from '../models/schema.js'
import { NodeTypeList, NodeTypeQuery, PriceBookList } from '../schemas/catalog.js'
import { problemResponses } from '../schemas/responses.js'
import { HOURS_PER_MONTH, round } from '../units.js'

const sourcesOf = (ids: Iterable<string>, all: Record<string, Source>) =>
  [...new Set(ids)].sort().flatMap((id) => (all[id] === undefined ? [] : [{ id, ...all[id] }]))

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

const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The catalog never changes while the process runs, so each answer is built once.
  const nodeTypes = [...app.catalog.nodeTypes.values()].map(({ catalog, nodeType }) => {
    const mode = (catalog.networkModes[0] as { id: string }).id
    const maxPods = nodeType.maxPods[mode] as number
    const free = allocatable({ ...nodeType, maxPods, kubeletMemoryGiB: nodeType.memoryGiB * catalog.kubeletMemory.capacityFraction, reservation: catalog.reservation })
    const ids = [...nodeType.sources, ...nodeType.prices.flatMap((p) => p.sources), ...(nodeType.gpu?.sources ?? []), ...catalog.reservation.sources, ...catalog.kubeletMemory.sources]
    return {
      id: nodeType.id,
      provider: catalog.provider,
      vcpu: nodeType.vcpu,
      memoryGiB: nodeType.memoryGiB,
      arch: nodeType.arch,
      family: nodeType.family,
      ...(nodeType.gpu === undefined ? {} : { gpu: { count: nodeType.gpu.count, model: nodeType.gpu.model, memoryGiB: nodeType.gpu.memoryGiB } }),
      maxPods: nodeType.maxPods,
      defaultNetworkMode: mode,
      allocatable: { cpuCores: Math.round(free.cpuCores * 1e6) / 1e6, memoryGiB: Math.round(free.memoryGiB * 1e6) / 1e6 },
      prices: nodeType.prices.map(priceOut),
      sources: sourcesOf(ids, catalog.sources)
    }
  })
  const defaultBook = app.catalog.defaults.priceBook.value
  const books = [...app.catalog.priceBooks.values()].map((b) => ({
    id: b.id,
    name: b.name,
    currency: b.currency,
    ...(b.region === undefined ? {} : { region: b.region }),
    cpuCoreHour: b.cpuCoreHour,
    memoryGiBHour: b.memoryGiBHour,
    ...(b.note === undefined ? {} : { note: b.note }),
    revised: b.revised,
    default: b.id === defaultBook,
    sources: sourcesOf(b.rateSources, b.sources)
  }))

  app.get('/node-types', {
    schema: {
      tags: ['catalog'],
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

  app.get('/pricing', {
    schema: {
      tags: ['catalog'],
      summary: 'Price books: unit prices per vCPU-hour and GiB-hour',
      description: 'Use an id as pricing.book in POST /estimate, or give pricing.cpuCoreHour and pricing.memoryGiBHour inline in any currency.',
      response: { 200: PriceBookList, ...problemResponses }
    }
  }, async () => ({ books }))
}

export default catalogRoutes
