import { Type } from 'typebox'
import { SourceOut } from './common.js'

const hourlyPrice = (description: string) => Type.Optional(Type.Number({ description }))

export const NodePriceOut = Type.Object({
  region: Type.String(),
  currency: Type.String(),
  asOf: Type.String({ format: 'date', description: 'date of the price list these prices were read from' }),
  hourly: Type.Number({ description: 'on-demand list price per node-hour' }),
  monthly: Type.Number({ description: 'hourly x 730' }),
  spotHourly: hourlyPrice('Spot price per node-hour, where the provider publishes a static one (GCP); absent where it does not (AWS, Azure): give pricing.discountPercent instead'),
  commitment1YearHourly: hourlyPrice('effective price per node-hour under a 1-year commitment, no upfront (AWS Standard Reserved Instance, GCP resource-based committed use)'),
  commitment3YearHourly: hourlyPrice('effective price per node-hour under a 3-year commitment, no upfront'),
  sources: Type.Array(Type.String(), { description: 'ids of the sources (in the node type\'s `sources`) these prices were read from' })
}, { additionalProperties: false })

export const NodeTypeOut = Type.Object({
  id: Type.String({ description: 'provider/instance-type, as cluster.nodeType takes it' }),
  provider: Type.String(),
  vcpu: Type.Number(),
  memoryGiB: Type.Number(),
  arch: Type.String({ description: 'amd64 or arm64 (AWS Graviton, GCP Axion and Tau T2A, Azure Cobalt and Ampere)' }),
  family: Type.String({ description: 'general-purpose, compute-optimized, memory-optimized or gpu' }),
  gpu: Type.Optional(Type.Object({
    count: Type.Integer(),
    model: Type.String(),
    memoryGiB: Type.Number({ description: 'memory of one GPU' })
  }, { additionalProperties: false, description: 'the GPUs every node of this type has; their price is part of the node price' })),
  maxPods: Type.Record(Type.String(), Type.Integer(), { description: 'default max pods per node for each network mode; the first mode is the provider\'s default' }),
  defaultNetworkMode: Type.String(),
  allocatable: Type.Object({
    cpuCores: Type.Number(),
    memoryGiB: Type.Number({ description: 'at the default network mode\'s max pods' })
  }, { additionalProperties: false, description: 'capacity minus the provider\'s documented kubelet reservation and eviction threshold' }),
  prices: Type.Array(NodePriceOut, { description: 'one entry per priced region; with ?region=, that region only' }),
  sources: Type.Array(SourceOut)
}, { additionalProperties: false })

export const NodeTypeList = Type.Object({ nodeTypes: Type.Array(NodeTypeOut) }, { additionalProperties: false })

export const NodeTypeQuery = Type.Object({
  provider: Type.Optional(Type.String({ pattern: '^[a-z]{1,16}$', description: 'aws, gcp or azure' })),
  region: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,32}$', description: 'only node types priced in this region, with that region\'s prices; a region no node type is priced in is a 422 listing the priced regions' })),
  arch: Type.Optional(Type.Union([Type.Literal('amd64'), Type.Literal('arm64')], { description: 'only this CPU architecture' })),
  family: Type.Optional(Type.Union([Type.Literal('general-purpose'), Type.Literal('compute-optimized'), Type.Literal('memory-optimized'), Type.Literal('gpu')], { description: 'only this family' }))
}, { additionalProperties: false })
