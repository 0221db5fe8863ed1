import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { allocatable } from '../engine/capacity.js'
import { HOURS_PER_MONTH } from '../engine/estimate.js'
import type { Source } from '../models/schema.js'
import { NodeTypeList, NodeTypeQuery, PriceBookList } from '../schemas/catalog.js'
import { problemResponses } from '../schemas/responses.js'

const sourcesOf = (ids: Iterable<string>, all: Record<string, Source>) =>
  [...new Set(ids)].sort().flatMap((id) => (all[id] === undefined ? [] : [{ id, ...all[id] }]))

const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The catalog never changes while the process runs, so each answer is built once.
  const nodeTypes = [...app.catalog.nodeTypes.values()].map(({ catalog, nodeType }) => {
    const mode = (catalog.networkModes[0] as { id: string }).id
    const maxPods = nodeType.maxPods[mode] as number
    const free = allocatable({ ...nodeType, maxPods, kubeletMemoryGiB: nodeType.memoryGiB * catalog.kubeletMemory.capacityFraction, reservation: catalog.reservation })
    const ids = [...nodeType.sources, ...nodeType.prices.flatMap((p) => p.sources), ...catalog.reservation.sources, ...catalog.kubeletMemory.sources]
    return {
      id: nodeType.id,
      provider: catalog.provider,
      vcpu: nodeType.vcpu,
      memoryGiB: nodeType.memoryGiB,
      maxPods: nodeType.maxPods,
      defaultNetworkMode: mode,
      allocatable: { cpuCores: Math.round(free.cpuCores * 1e6) / 1e6, memoryGiB: Math.round(free.memoryGiB * 1e6) / 1e6 },
      prices: nodeType.prices.map((p) => ({ region: p.region, hourly: p.hourly, monthly: Math.round(p.hourly * HOURS_PER_MONTH * 100) / 100, currency: p.currency })),
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
      description: 'Filter with ?provider=aws and ?region=us-east-1. Use an id as cluster.nodeType in POST /estimate.',
      querystring: NodeTypeQuery,
      response: { 200: NodeTypeList, ...problemResponses }
    }
  }, async (request) => ({
    nodeTypes: nodeTypes.filter((n) =>
      (request.query.provider === undefined || n.provider === request.query.provider) &&
      (request.query.region === undefined || n.prices.some((p) => p.region === request.query.region)))
  }))

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
