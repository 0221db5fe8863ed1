import { Type } from 'typebox'
import { SourceOut } from './common.js'

export const NodeTypeOut = Type.Object({
  id: Type.String({ description: 'provider/instance-type, as cluster.nodeType takes it' }),
  provider: Type.String(),
  vcpu: Type.Number(),
  memoryGiB: Type.Number(),
  maxPods: Type.Record(Type.String(), Type.Integer(), { description: 'default max pods per node for each network mode; the first mode is the provider\'s default' }),
  defaultNetworkMode: Type.String(),
  allocatable: Type.Object({
    cpuCores: Type.Number(),
    memoryGiB: Type.Number({ description: 'at the default network mode\'s max pods' })
  }, { additionalProperties: false, description: 'capacity minus the provider\'s documented kubelet reservation and eviction threshold' }),
  prices: Type.Array(Type.Object({
    region: Type.String(),
    hourly: Type.Number({ description: 'on-demand list price per node-hour' }),
    monthly: Type.Number({ description: 'hourly x 730' }),
    currency: Type.String()
  }, { additionalProperties: false })),
  sources: Type.Array(SourceOut)
}, { additionalProperties: false })

export const NodeTypeList = Type.Object({ nodeTypes: Type.Array(NodeTypeOut) }, { additionalProperties: false })

export const NodeTypeQuery = Type.Object({
  provider: Type.Optional(Type.String({ pattern: '^[a-z]{1,16}$', description: 'aws, gcp or azure' })),
  region: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,32}$', description: 'only node types priced in this region' }))
}, { additionalProperties: false })

export const PriceBookOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  region: Type.Optional(Type.String()),
  cpuCoreHour: Type.Number({ description: 'price of one vCPU-hour' }),
  memoryGiBHour: Type.Number({ description: 'price of one GiB-hour' }),
  note: Type.Optional(Type.String()),
  revised: Type.String(),
  default: Type.Boolean({ description: 'the book POST /estimate uses when no price is given' }),
  sources: Type.Array(SourceOut)
}, { additionalProperties: false })

export const PriceBookList = Type.Object({ books: Type.Array(PriceBookOut) }, { additionalProperties: false })
