// models/nodes/<provider>.yaml: a provider's node types (the node models), reservations and prices per region.
import { Type, type Static } from 'typebox'
import { strict, CpuQuantity, CURRENCY_PATTERN, ISO_DATE_PATTERN, IsoDate, MemoryQuantity, SourceRefs, SourceMap } from './common-schema.js'

/** A tiered fraction, as kubelet reservation rules are written: fraction of the slice of capacity up to `upTo`. */
const ReservationTier = Type.Object({
  upTo: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { description: 'end of the slice (cores or GiB); null = no end' }),
  fraction: Type.Number({ minimum: 0, maximum: 1 })
}, strict)

/** How a provider turns node capacity into allocatable: capacity minus kube/system reservation and eviction threshold. */
export const Reservation = Type.Object({
  cpuTiers: Type.Array(ReservationTier, { minItems: 1 }),
  memoryTiers: Type.Array(ReservationTier),
  memoryFixedMiB: Type.Number({ minimum: 0, description: 'flat memory reservation per node' }),
  memoryPerPodMiB: Type.Number({ minimum: 0, description: 'memory reserved per pod of max-pods (EKS AMI rule)' }),
  memoryCapFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'fixed + per-pod memory reservation is capped at this fraction of node memory (AKS rule)' })),
  evictionMiB: Type.Number({ minimum: 0, description: 'hard eviction threshold, memory.available' }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

/** The pricing models a node catalog's price may carry besides on-demand, each per node-hour. */
export const PRICING_MODELS = ['onDemand', 'spot', 'commitment1Year', 'commitment3Year'] as const
export type PricingModel = typeof PRICING_MODELS[number]
/** The node catalog field holding each pricing model's price. */
export const PRICE_FIELDS = {
  onDemand: 'hourly',
  spot: 'spotHourly',
  commitment1Year: 'commitment1YearHourly',
  commitment3Year: 'commitment3YearHourly'
} as const satisfies Record<PricingModel, string>

/** One region's prices for a node type, all read from the same dated source. */
export const NodePrice = Type.Object({
  region: Type.String({ minLength: 1 }),
  currency: Type.String({ pattern: CURRENCY_PATTERN }),
  asOf: Type.String({ pattern: ISO_DATE_PATTERN, description: 'date of the price list the prices were read from' }),
  hourly: Type.Number({ exclusiveMinimum: 0, description: 'on-demand list price per node-hour' }),
  spotHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Spot price per node-hour, where the provider publishes a static one' })),
  commitment1YearHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'effective price per node-hour under a 1-year commitment, no upfront payment' })),
  commitment3YearHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'effective price per node-hour under a 3-year commitment, no upfront payment' })),
  sources: SourceRefs
}, strict)
export type NodePrice = Static<typeof NodePrice>

/** A node type's id, provider/instance-type: aws/m5.large. */
export const NODE_TYPE_ID_PATTERN = '^[a-z]+/[A-Za-z0-9._-]+$'

export const NodeType = Type.Object({
  id: Type.String({ pattern: NODE_TYPE_ID_PATTERN, description: 'provider/instance-type' }),
  vcpu: Type.Number({ exclusiveMinimum: 0 }),
  memoryGiB: Type.Number({ exclusiveMinimum: 0 }),
  arch: Type.Union([Type.Literal('amd64'), Type.Literal('arm64')]),
  family: Type.Union([Type.Literal('general-purpose'), Type.Literal('compute-optimized'), Type.Literal('memory-optimized'), Type.Literal('gpu')]),
  gpu: Type.Optional(Type.Object({
    count: Type.Integer({ minimum: 1 }),
    model: Type.String({ minLength: 1 }),
    memoryGiB: Type.Number({ exclusiveMinimum: 0, description: 'memory of one GPU' }),
    sources: SourceRefs
  }, strict)),
  /** Default max pods per node for each network mode of this provider (keys from the file's `networkModes`). */
  maxPods: Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })),
  prices: Type.Array(NodePrice, { minItems: 1 }),
  sources: SourceRefs
}, strict)

/** A pod the provider runs on every node for itself (CNI agent, kube-proxy, CSI node plugin, log agent): it takes a pod slot and its requests with or without a mesh. */
export const SystemPod = Type.Object({
  name: Type.String({ minLength: 1, description: 'DaemonSet or static pod name' }),
  cpu: CpuQuantity,
  memory: MemoryQuantity,
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

/** Memory the kubelet reports as node capacity: below the nominal size, as the kernel and firmware keep their share. */
export const KubeletMemory = Type.Object({
  capacityFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'kubelet-reported memory capacity / nominal memory' }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

/** The CPU and RAM prices of OpenCost's configuration for this provider: only their ratio is used, to split a node's price. */
export const PriceSplit = Type.Object({
  cpuCoreHour: Type.Number({ exclusiveMinimum: 0 }),
  memoryGiBHour: Type.Number({ exclusiveMinimum: 0 }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

export const NodeCatalog = Type.Object({
  schemaVersion: Type.Literal(1),
  provider: Type.String({ pattern: '^[a-z]+$' }),
  name: Type.String({ minLength: 1 }),
  revised: IsoDate,
  /** Network (CNI) modes and where their max-pods default comes from; the first is the default. */
  networkModes: Type.Array(Type.Object({
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    name: Type.String({ minLength: 1 }),
    sources: SourceRefs
  }, strict), { minItems: 1 }),
  reservation: Reservation,
  kubeletMemory: KubeletMemory,
  /** Per-node system pods of the provider's default install; counted in packing with and without a mesh. */
  systemPods: Type.Array(SystemPod),
  priceSplit: PriceSplit,
  nodeTypes: Type.Array(NodeType, { minItems: 1 }),
  sources: SourceMap
}, strict)

export type NodeCatalog = Static<typeof NodeCatalog>
export type NodeType = Static<typeof NodeType>
export type Reservation = Static<typeof Reservation>
export type SystemPod = Static<typeof SystemPod>
export type PriceSplit = Static<typeof PriceSplit>
