// Turns a request (every field but `pods` optional) into a complete scenario, recording each default applied.
import type { Models } from '../models/load.js'
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { MeshModel, NodeCatalog, NodePrice, PricingModel, Reservation, ScenarioDefaults } from '../models/schema.js'
import { LIMITS, type Assumptions, type Basis, type EstimateRequest, type NodePool as NodePoolIn } from '../schemas/estimate.js'
import { DomainError } from '../errors.js'
import { NO_AGENTS, packer, type NodeShape, type PackPool } from './capacity.js'
import { memoized } from './memo.js'
import { resolvePricing, type PricedNode, type Pricing } from './pricing.js'

/**
 * The services one sidecar holds configuration for: with sidecar scoping (Istio's Sidecar resource, Linkerd's
 * default), the services it calls, at most all of them; without, every service. Derived state: scenario
 * resolution and every sensitivity variant that moves either count take it from here.
 */
export function servicesVisiblePerSidecar (sidecarScoping: boolean, services: number, servicesVisibleWhenScoped: number): number {
  return sidecarScoping ? Math.min(services, servicesVisibleWhenScoped) : services
}

/**
 * A node pool: a node shape, the nodes it runs today and how far the cluster autoscaler may grow it. The single
 * node of cluster.nodeType or cluster.node is one pool; cluster.nodePools lists several.
 */
export interface Pool extends PackPool {
  /** nodePools[i].name, or the node type */
  name: string
  /** nodes the pool runs today, without a mesh, as the request gives them (cluster.nodes or nodePools[i].count); null when not given */
  nodes: number | null
  /** the pricing model of the pool's node price */
  pricingModel: PricingModel
}

/** A share of the meshed pods and the requests per second through each of them. */
export interface TrafficGroup { podShare: number, requestsPerSecondPerPod: number }

export interface Scenario {
  pods: number
  meshes: MeshModel[]
  basis: Basis
  /** average over all meshed pods */
  requestsPerSecondPerPod: number
  distribution: 'even' | 'skewed'
  /** how the traffic spreads over pods; podShare sums to 1 */
  trafficGroups: TrafficGroup[]
  hopsPerRequest: number
  /** connections open through each pod's proxy, inbound plus outbound */
  activeConnectionsPerPod: number
  /** pods created or deleted per minute in the cluster */
  podChurnPerMinute: number
  services: number
  /** all pods in the cluster, meshed or not */
  clusterPods: number
  sidecarScoping: boolean
  /** services a scoped sidecar still sees (workload.servicesVisibleWhenScoped); used only with sidecarScoping */
  servicesVisibleWhenScoped: number
  /** services one sidecar holds configuration for */
  servicesVisiblePerSidecar: number
  /** options.proxyRequests: the data-plane proxy's requests where given; the chart's default otherwise */
  proxyRequests: { cpuCores?: number, memoryGiB?: number }
  /** the chart defaults of the proxy's requests are multiplied by this (1; sensitivity halves and doubles it) */
  proxyRequestScale: number
  /** waypoint proxies (Istio ambient's L7 proxies), one per namespace or service that opts in */
  waypoints: number
  podRequests: { cpuCores: number, memoryGiB: number }
  /** the node pools, in the request's order; one for cluster.nodeType or cluster.node */
  pools: Pool[]
  /** the request lists cluster.nodePools: the answer's capacity details each pool */
  nodePools: boolean
  /**
   * The pool whose node prices charge the mesh's overhead: the pool the cluster autoscaler would grow for the
   * whole workload (capacity.ts's rule), where the capacity the mesh takes from the workload is bought.
   */
  pricingPool: number
  /** pools[pricingPool].node */
  node: NodeShape
  cni: string
  highAvailability: boolean
  observability: boolean
  /** the unit prices, pricing model and node price the estimate is computed with */
  prices: Pricing
  defaultsApplied: Assumptions['defaultsApplied']
  notes: string[]
}

const NO_SYSTEM_PODS: NodeShape['systemPods'] = Object.freeze({ pods: 0, cpuCores: 0, memoryGiB: 0 })

// A provider's system pods depend on its node catalog alone: summed once per node models.
const systemPodTotals = new WeakMap<NodeCatalog, NodeShape['systemPods']>()
function systemPodsOf (nodeCatalog: NodeCatalog): NodeShape['systemPods'] {
  return memoized(systemPodTotals, nodeCatalog, sumSystemPods)
}
const sumSystemPods = ({ systemPods }: NodeCatalog): NodeShape['systemPods'] => Object.freeze({
  pods: systemPods.length,
  cpuCores: systemPods.reduce((sum, pod) => sum + cpuCores(pod.cpu), 0),
  memoryGiB: systemPods.reduce((sum, pod) => sum + memoryGiB(pod.memory), 0)
})

/** Used for custom nodes, which bring no reservation rule of their own. */
function genericReservation (nodeCatalogs: Models['nodeCatalogs']): { reservation: Reservation, from: string } {
  const gcp = nodeCatalogs.get('gcp')
  const first = gcp ?? [...nodeCatalogs.values()][0]
  if (first === undefined) throw new Error('no node catalog loaded')
  return { reservation: first.reservation, from: first.name }
}

type Listed = Scenario['defaultsApplied'][number]

/** The inputs a request may leave out, once resolved: what the rows of the tables below produce. */
interface Inputs {
  meshes: string[]
  basis: Basis
  requestsPerSecondPerPod: number
  services: number
  clusterPods: number
  distribution: 'even' | 'skewed'
  hopsPerRequest: number
  activeConnectionsPerPod: number
  podChurnPerMinute: number
  sidecarScoping: boolean
  servicesVisibleWhenScoped: number
  waypoints: number
  podRequests: { cpuCores: number, memoryGiB: number }
  nodeType: string
  region: string
  networkMode: string
  cni: string
  highAvailability: boolean
  proxyRequests: { cpuCores?: number, memoryGiB?: number }
  observability: boolean
}

/** What a row reads: the request, the models (models/defaults.yaml among them) and the inputs of the rows before it. */
interface Context {
  request: EstimateRequest
  models: Models
  defaults: ScenarioDefaults
  /** filled row by row, in table order: a row reads only the inputs of rows above it */
  resolved: Inputs
}

/**
 * One input a request may leave out: its JSON pointer, the value the request gives, the default (a constant, a
 * figure of models/defaults.yaml, or derived from the rows above), the reason the answer gives for it, and how
 * `assumptions.defaultsApplied` shows it. A row is listed there when its default was used, in table order.
 */
interface Row<K extends keyof Inputs> {
  input: K
  field: string
  given: (request: EstimateRequest) => Inputs[K] | undefined
  default: (context: Context) => Inputs[K]
  reason: (context: Context) => string
  /** what defaultsApplied shows for the default; the value itself when absent */
  shown?: (value: Inputs[K], context: Context) => Listed['value']
  /** listed only when the input matters to the scenario; always when absent */
  listedWhen?: (context: Context) => boolean
  /** rules the schema cannot state, on the value given or defaulted: a DomainError naming the field */
  check?: (value: Inputs[K], context: Context) => void
}
type AnyRow = { [K in keyof Inputs]: Row<K> }[keyof Inputs]

const row = <K extends keyof Inputs>(r: Row<K>): AnyRow => r as unknown as AnyRow
/** The reason of a figure of models/defaults.yaml: its note. */
const noteOf = (entry: { note?: string | undefined }): string => entry.note ?? 'default in models/defaults.yaml'
/** The node type the rows above chose: the nodeType row's check has made sure it exists. */
const chosenNodeType = ({ models, resolved }: Context) => models.nodeTypes.get(resolved.nodeType) as NonNullable<ReturnType<Models['nodeTypes']['get']>>

/** Services when the request gives none: one per models/defaults.yaml's podsPerService pods, at least one. */
const defaultServices = (pods: number, defaults: ScenarioDefaults): number => Math.max(1, Math.ceil(pods / defaults.podsPerService.value))

/** How the traffic spreads: every pod alike, or (skewed) a share of the pods carrying a larger share of the requests. */
function trafficGroupsOf (distribution: Scenario['distribution'], requestsPerSecondPerPod: number, defaults: ScenarioDefaults): TrafficGroup[] {
  if (distribution === 'even') return [{ podShare: 1, requestsPerSecondPerPod }]
  const { podShare, trafficShare } = defaults.skewedTraffic
  return [
    { podShare, requestsPerSecondPerPod: requestsPerSecondPerPod * trafficShare / podShare },
    { podShare: 1 - podShare, requestsPerSecondPerPod: requestsPerSecondPerPod * (1 - trafficShare) / (1 - podShare) }
  ]
}

/** The workload: which meshes, its traffic, services and pods. */
const WORKLOAD_ROWS: readonly AnyRow[] = [
  row({
    input: 'meshes',
    field: '/meshes',
    given: (r) => r.meshes,
    default: ({ models }) => [...models.meshes.keys()],
    reason: () => 'every shipped mesh model',
    check: (ids, { models }) => {
      const unknown = ids.map((id, i) => ({ id, i })).filter(({ id }) => !models.meshes.has(id))
      if (unknown.length === 0) return
      const known = [...models.meshes.keys()].join(', ')
      throw new DomainError(unknown.map(({ id, i }) => ({ pointer: `/meshes/${i}`, detail: `unknown mesh "${id}"; known meshes: ${known}` })))
    }
  }),
  row({
    input: 'basis',
    field: '/basis',
    given: (r) => r.basis,
    default: () => 'max',
    reason: () => 'OpenCost allocates max(request, usage) per container'
  }),
  row({
    input: 'requestsPerSecondPerPod',
    field: '/traffic/requestsPerSecondPerPod',
    given: ({ traffic, pods }) => traffic?.requestsPerSecond === undefined ? traffic?.requestsPerSecondPerPod : traffic.requestsPerSecond / pods,
    default: ({ defaults }) => defaults.requestsPerSecondPerPod.value,
    reason: ({ defaults }) => noteOf(defaults.requestsPerSecondPerPod),
    check: (perPod, { request: { traffic, pods } }) => {
      if (traffic?.requestsPerSecond === undefined) return
      if (traffic.requestsPerSecondPerPod !== undefined) {
        throw new DomainError([{ pointer: '/traffic/requestsPerSecond', detail: 'give either requestsPerSecond (total) or requestsPerSecondPerPod, not both' }])
      }
      if (perPod > LIMITS.requestsPerSecondPerPod) {
        throw new DomainError([{ pointer: '/traffic/requestsPerSecond', detail: `is ${perPod} per pod over ${pods} pods; at most ${LIMITS.requestsPerSecondPerPod} per pod` }])
      }
    }
  }),
  row({
    input: 'services',
    field: '/workload/services',
    given: (r) => r.workload?.services,
    default: ({ request, defaults }) => defaultServices(request.pods, defaults),
    reason: ({ defaults }) => noteOf(defaults.podsPerService)
  }),
  row({
    input: 'clusterPods',
    field: '/workload/clusterPods',
    given: (r) => r.workload?.clusterPods,
    default: ({ request }) => request.pods,
    reason: () => 'the meshed pods are all the pods in the cluster',
    check: (clusterPods, { request }) => {
      if (clusterPods < request.pods) throw new DomainError([{ pointer: '/workload/clusterPods', detail: `counts every pod in the cluster, so it cannot be fewer than the ${request.pods} meshed pods` }])
    }
  }),
  row({
    input: 'distribution',
    field: '/traffic/distribution',
    given: (r) => r.traffic?.distribution,
    default: () => 'even',
    reason: () => 'every pod carries the same traffic'
  }),
  row({
    input: 'hopsPerRequest',
    field: '/traffic/hopsPerRequest',
    given: (r) => r.traffic?.hopsPerRequest,
    default: () => 1,
    reason: () => 'latency is given for one service-to-service call'
  }),
  row({
    input: 'activeConnectionsPerPod',
    field: '/traffic/activeConnectionsPerPod',
    given: (r) => r.traffic?.activeConnectionsPerPod,
    default: ({ defaults }) => defaults.activeConnectionsPerPod.value,
    reason: ({ defaults }) => noteOf(defaults.activeConnectionsPerPod)
  }),
  row({
    input: 'podChurnPerMinute',
    field: '/workload/podChurnPerMinute',
    given: (r) => r.workload?.podChurnPerMinute,
    default: ({ defaults }) => defaults.podChurnPerMinute.value,
    reason: ({ defaults }) => noteOf(defaults.podChurnPerMinute)
  }),
  row({
    input: 'sidecarScoping',
    field: '/options/sidecarScoping',
    given: (r) => r.options?.sidecarScoping,
    default: () => false,
    reason: () => 'sidecars see every service, as installed'
  }),
  row({
    input: 'servicesVisibleWhenScoped',
    field: '/workload/servicesVisibleWhenScoped',
    given: (r) => r.workload?.servicesVisibleWhenScoped,
    default: ({ defaults }) => defaults.servicesVisibleWhenScoped.value,
    reason: ({ defaults }) => noteOf(defaults.servicesVisibleWhenScoped),
    listedWhen: ({ resolved }) => resolved.sidecarScoping
  }),
  row({
    input: 'waypoints',
    field: '/workload/waypoints',
    given: (r) => r.workload?.waypoints,
    default: () => 1,
    reason: () => 'one waypoint proxy: a single namespace or service opts into L7 processing (ambient meshes only)',
    check: (waypoints, { resolved: { services } }) => {
      if (waypoints > services) throw new DomainError([{ pointer: '/workload/waypoints', detail: `is ${waypoints}, but a waypoint serves a namespace or a service, and the mesh has ${services} service${services === 1 ? '' : 's'}: at most ${services}` }])
    }
  }),
  row({
    input: 'podRequests',
    field: '/workload/podRequests',
    given: (r) => r.workload?.podRequests,
    default: ({ defaults }) => ({ cpuCores: cpuCores(defaults.podCpu.value), memoryGiB: memoryGiB(defaults.podMemory.value) }),
    reason: ({ defaults }) => noteOf(defaults.podCpu),
    shown: (_value, { defaults }) => `${defaults.podCpu.value} CPU, ${defaults.podMemory.value} memory`
  })
]

/** A node type of the node catalogs (not for a custom cluster.node): which one, priced where, in which network mode. */
const NODE_TYPE_ROWS: readonly AnyRow[] = [
  row({
    input: 'nodeType',
    field: '/cluster/nodeType',
    given: (r) => r.cluster?.nodeType,
    default: ({ defaults }) => defaults.nodeType.value,
    reason: ({ defaults }) => noteOf(defaults.nodeType),
    check: (id, { models }) => {
      if (!models.nodeTypes.has(id)) throw new DomainError([{ pointer: '/cluster/nodeType', detail: `unknown node type "${id}"; see GET /node-types` }])
    }
  }),
  row({
    input: 'region',
    field: '/cluster/region',
    given: (r) => r.cluster?.region,
    // The default node type is priced in the default region; a node type the request names, in its first priced region.
    default: (context) => context.request.cluster?.nodeType === undefined ? context.defaults.region.value : (chosenNodeType(context).nodeType.prices[0] as { region: string }).region,
    reason: ({ request }) => request.cluster?.nodeType === undefined ? 'region of the default node type' : 'first priced region of the node type',
    check: (region, context) => {
      const { nodeType } = chosenNodeType(context)
      if (nodeType.prices.some((p) => p.region === region)) return
      const regions = nodeType.prices.map((p) => p.region).join(', ')
      const pointer = context.request.cluster?.region === undefined ? '/cluster/nodeType' : '/cluster/region'
      throw new DomainError([{ pointer, detail: `no price for ${nodeType.id} in region "${region}"; priced regions: ${regions}` }])
    }
  }),
  row({
    input: 'networkMode',
    field: '/cluster/networkMode',
    given: (r) => r.cluster?.networkMode,
    default: (context) => (chosenNodeType(context).nodeCatalog.networkModes[0] as { id: string }).id,
    reason: (context) => `default network mode of ${chosenNodeType(context).nodeCatalog.name}`,
    check: (mode, context) => {
      const { nodeCatalog, nodeType } = chosenNodeType(context)
      if (nodeType.maxPods[mode] !== undefined) return
      const modes = nodeCatalog.networkModes.map((m) => m.id).join(', ')
      throw new DomainError([{ pointer: '/cluster/networkMode', detail: `unknown network mode "${mode}" for ${nodeCatalog.provider}; known: ${modes}` }])
    }
  })
]

/** What runs beside the mesh and how it is installed; listed after the prices. */
const OPTION_ROWS: readonly AnyRow[] = [
  row({
    input: 'cni',
    field: '/cluster/cni',
    given: (r) => r.cluster?.cni,
    default: () => 'other',
    reason: () => 'no CNI given: nothing a mesh needs is assumed to be installed already'
  }),
  row({
    input: 'highAvailability',
    field: '/options/highAvailability',
    given: (r) => r.options?.highAvailability,
    default: () => false,
    reason: () => 'the charts\' default install'
  }),
  row({
    input: 'proxyRequests',
    field: '/options/proxyRequests',
    given: (r) => r.options?.proxyRequests,
    default: () => ({}),
    reason: () => 'each mesh\'s proxy (sidecar or per-node proxy) requests what its chart or injector sets by default',
    shown: () => 'chart defaults'
  }),
  row({
    input: 'observability',
    field: '/options/observability',
    given: (r) => r.options?.observability,
    default: () => false,
    reason: () => 'the observability add-ons are optional installs'
  })
]

/** Resolves the rows in order into context.resolved, listing each default used in `listed`. */
function resolveRows (rows: readonly AnyRow[], context: Context, listed: Listed[]): void {
  for (const r of rows) resolveRow(r as Row<keyof Inputs>, context, listed)
}

function resolveRow<K extends keyof Inputs> (r: Row<K>, context: Context, listed: Listed[]): void {
  const given = r.given(context.request)
  const value = given ?? r.default(context)
  r.check?.(value, context)
  context.resolved[r.input] = value
  if (given === undefined && (r.listedWhen?.(context) ?? true)) {
    listed.push({ field: r.field, value: r.shown === undefined ? value as Listed['value'] : r.shown(value, context), reason: r.reason(context) })
  }
}

/** The node type the NODE_TYPE_ROWS chose, as the packing sees it. */
function knownNode (context: Context): { node: NodeShape, nodeCatalog: NodeCatalog, price: NodePrice, gpus: number } {
  const { nodeCatalog, nodeType } = chosenNodeType(context)
  const { nodeType: id, region, networkMode } = context.resolved
  const price = nodeType.prices.find((p) => p.region === region) as NodePrice
  return {
    node: {
      id,
      vcpu: nodeType.vcpu,
      memoryGiB: nodeType.memoryGiB,
      kubeletMemoryGiB: nodeType.memoryGiB * nodeCatalog.kubeletMemory.capacityFraction,
      maxPods: nodeType.maxPods[networkMode] as number,
      systemPods: systemPodsOf(nodeCatalog),
      hourlyPrice: price.hourly,
      reservation: nodeCatalog.reservation
    },
    nodeCatalog,
    price,
    gpus: nodeType.gpu?.count ?? 0
  }
}

/** The node cluster.nodeType (with its region and network mode) or cluster.node describes, and what its price reads. */
function resolveNode (context: Context, defaultsApplied: Listed[], notes: string[]): { node: NodeShape, priced: PricedNode } {
  const { models } = context
  const cluster = context.request.cluster ?? {}
  if (cluster.node !== undefined && (cluster.nodeType !== undefined || cluster.region !== undefined || cluster.networkMode !== undefined)) {
    throw new DomainError([{ pointer: '/cluster/node', detail: 'give either cluster.node (a custom node) or cluster.nodeType with region and networkMode, not both' }])
  }
  if (cluster.node !== undefined) {
    const { reservation, from } = genericReservation(models.nodeCatalogs)
    const node: NodeShape = { id: 'custom', ...cluster.node, kubeletMemoryGiB: cluster.node.memoryGiB, systemPods: NO_SYSTEM_PODS, hourlyPrice: cluster.node.hourlyPrice ?? null, reservation }
    notes.push(`Custom node: allocatable follows the ${from} reservation rule, the one documented rule that depends only on capacity; its memory is taken as the kubelet reports it, and no system pods are counted on it.`)
    // No provider: the price split falls back to the default book's CPU:RAM ratio (see pricing.ts).
    return { node, priced: { id: 'custom', vcpu: node.vcpu, kubeletMemoryGiB: node.kubeletMemoryGiB, gpus: 0, explicit: true, ...(cluster.node.hourlyPrice === undefined ? {} : { customHourly: cluster.node.hourlyPrice }) } }
  }
  resolveRows(NODE_TYPE_ROWS, context, defaultsApplied)
  const known = knownNode(context)
  const { node } = known
  const { priceSplit, provider } = known.nodeCatalog
  return {
    node,
    priced: {
      id: node.id,
      vcpu: node.vcpu,
      kubeletMemoryGiB: node.kubeletMemoryGiB,
      gpus: known.gpus,
      nodeCatalogPrice: known.price,
      explicit: cluster.nodeType !== undefined,
      priceSplit: { cpuCoreHour: priceSplit.cpuCoreHour, memoryGiBHour: priceSplit.memoryGiBHour, label: `OpenCost's ${provider} CPU:memory price ratio (${(priceSplit.cpuCoreHour / priceSplit.memoryGiBHour).toFixed(2)} GiB-hours per vCPU-hour)` }
    }
  }
}

const SINGLE_NODE_FIELDS = ['nodeType', 'region', 'networkMode', 'node', 'nodes'] as const

/**
 * cluster.nodePools: each pool's node resolved as cluster.nodeType or cluster.node is, and priced under the
 * request's pricing with the pool's own model and discount; its defaults and errors point into the pool.
 */
function resolvePools (context: Context, nodePools: readonly NodePoolIn[], defaultsApplied: Listed[], notes: string[]): { pools: Pool[], pricingPool: number, prices: Pricing } {
  const { request, models } = context
  const cluster = request.cluster ?? {}
  const single = SINGLE_NODE_FIELDS.find((k) => cluster[k] !== undefined)
  if (single !== undefined) throw new DomainError([{ pointer: `/cluster/${single}`, detail: 'describes the one node type of a cluster without node pools; with cluster.nodePools, give it in each pool' }])
  if (nodePools.every((pool) => pool.maxCount === 0)) throw new DomainError([{ pointer: '/cluster/nodePools', detail: 'every pool has maxCount 0: no node could run the workload' }])
  const names = new Set<string>()
  const resolved = nodePools.map((pool, i) => {
    const at = `/cluster/nodePools/${i}`
    if (pool.nodeType === undefined && pool.node === undefined) throw new DomainError([{ pointer: at, detail: 'give the pool\'s nodeType (see GET /node-types) or node (a custom node)' }])
    if (pool.maxCount !== undefined && pool.count !== undefined && pool.maxCount < pool.count) {
      throw new DomainError([{ pointer: `${at}/maxCount`, detail: `is ${pool.maxCount}, below the ${pool.count} nodes the pool runs (count)` }])
    }
    if (pool.name !== undefined && names.has(pool.name)) throw new DomainError([{ pointer: `${at}/name`, detail: `"${pool.name}" names another pool already; pool names are unique` }])
    const { nodeType, region, networkMode, node: custom } = pool
    const poolRequest: EstimateRequest = {
      ...request,
      cluster: { ...(nodeType === undefined ? {} : { nodeType }), ...(region === undefined ? {} : { region }), ...(networkMode === undefined ? {} : { networkMode }), ...(custom === undefined ? {} : { node: custom }) },
      pricing: { ...request.pricing, ...pool.pricing }
    }
    const listed: Listed[] = []
    const pricingListed: Listed[] = []
    const nodeNotes: string[] = []
    const rateNotes: string[] = []
    try {
      const { node, priced } = resolveNode({ ...context, request: poolRequest, resolved: { ...context.resolved } }, listed, nodeNotes)
      const { pricing, nodeHourly } = resolvePricing(poolRequest, models, priced, pricingListed, rateNotes, { nodeNotes, poolDiscount: pool.pricing?.discountPercent !== undefined })
      node.hourlyPrice = nodeHourly
      const name = pool.name ?? (names.has(node.id) ? `${node.id} (${i})` : node.id)
      names.add(name)
      const shape: Pool = { name, node, nodes: pool.count ?? null, maxNodes: pool.maxCount ?? Infinity, pointer: at, pricingModel: pricing.model }
      return { shape, pricing, listed: listed.map((l) => ({ ...l, field: l.field.replace('/cluster', at) })), pricingListed, nodeNotes, rateNotes }
    } catch (err) {
      throw inPool(err, i, pool)
    }
  })
  const pools = resolved.map((r) => r.shape)
  // The pool the autoscaler would grow for the whole workload, from empty pools: its prices charge the overhead.
  const pricingPool = packer(pools, context.resolved.podRequests, NO_AGENTS, 'one application pod').place(request.pods, [], pools.map(() => 0), pools.map(() => 0))
  const priced = resolved[pricingPool] as (typeof resolved)[number]
  for (const r of resolved) defaultsApplied.push(...r.listed)
  defaultsApplied.push(...priced.pricingListed)
  const seen = new Set(notes)
  // The unit prices are the pricing pool's alone; every pool's node and node price may need a word.
  for (const note of [...priced.rateNotes, ...resolved.flatMap((r) => r.nodeNotes)]) {
    if (!seen.has(note)) notes.push(note)
    seen.add(note)
  }
  if (pools.length > 1) notes.push(`The mesh's CPU and memory are charged at the unit prices of node pool "${priced.shape.name}", the pool the cluster autoscaler's least-waste expander would grow for this workload: the capacity the mesh takes from the workload is bought there.`)
  return { pools, pricingPool, prices: priced.pricing }
}

/** An error of one pool's node or price, pointed into the pool (the request's own pricing fields keep their pointer). */
function inPool (err: unknown, i: number, pool: NodePoolIn): unknown {
  if (!(err instanceof DomainError)) return err
  const at = `/cluster/nodePools/${i}`
  return err.mapErrors((e) => {
    if (e.pointer.startsWith('/cluster/')) return { ...e, pointer: e.pointer.replace('/cluster', at) }
    const field = e.pointer.replace('/pricing/', '')
    if ((field === 'model' || field === 'discountPercent') && pool.pricing?.[field] !== undefined) return { ...e, pointer: `${at}/pricing/${field}` }
    if (e.pointer.startsWith('/pricing/')) return { ...e, detail: `${e.detail} (node pool ${i}${pool.name === undefined ? '' : `, "${pool.name}"`}; a pool may set its own pricing.model and pricing.discountPercent)` }
    return e
  })
}

export function resolveScenario (request: EstimateRequest, models: Models): Scenario {
  const { defaults } = models
  const defaultsApplied: Scenario['defaultsApplied'] = []
  const notes: string[] = []
  const context: Context = { request, models, defaults, resolved: {} as Inputs } // filled by the rows
  const { resolved } = context
  resolveRows(WORKLOAD_ROWS, context, defaultsApplied)

  const { podShare, trafficShare } = defaults.skewedTraffic
  const { requestsPerSecondPerPod } = resolved
  const trafficGroups = trafficGroupsOf(resolved.distribution, requestsPerSecondPerPod, defaults)
  if (resolved.distribution === 'skewed') notes.push(`Skewed traffic: ${podShare * 100}% of the pods carry ${trafficShare * 100}% of the requests (${noteOf(defaults.skewedTraffic)}).`)

  const cluster = request.cluster ?? {}
  let pools: Pool[]
  let pricingPool = 0
  let prices: Pricing
  if (cluster.nodePools === undefined) {
    const { node, priced } = resolveNode(context, defaultsApplied, notes)
    // Unit prices and the node price, under the pricing model (see pricing.ts, which lists its own defaults).
    const resolvedPricing = resolvePricing(request, models, priced, defaultsApplied, notes)
    prices = resolvedPricing.pricing
    node.hourlyPrice = resolvedPricing.nodeHourly
    const pointer = cluster.node === undefined ? '/cluster/nodeType' : '/cluster/node'
    pools = [{ name: node.id, node, nodes: cluster.nodes ?? null, maxNodes: Infinity, pointer, pricingModel: prices.model }]
  } else {
    ({ pools, pricingPool, prices } = resolvePools(context, cluster.nodePools, defaultsApplied, notes))
  }

  resolveRows(OPTION_ROWS, context, defaultsApplied)

  return {
    pods: request.pods,
    meshes: resolved.meshes.map((id) => models.meshes.get(id) as MeshModel),
    basis: resolved.basis,
    requestsPerSecondPerPod,
    distribution: resolved.distribution,
    trafficGroups,
    hopsPerRequest: resolved.hopsPerRequest,
    activeConnectionsPerPod: resolved.activeConnectionsPerPod,
    podChurnPerMinute: resolved.podChurnPerMinute,
    services: resolved.services,
    clusterPods: resolved.clusterPods,
    sidecarScoping: resolved.sidecarScoping,
    servicesVisibleWhenScoped: resolved.servicesVisibleWhenScoped,
    servicesVisiblePerSidecar: servicesVisiblePerSidecar(resolved.sidecarScoping, resolved.services, resolved.servicesVisibleWhenScoped),
    proxyRequests: resolved.proxyRequests,
    proxyRequestScale: 1,
    waypoints: resolved.waypoints,
    podRequests: resolved.podRequests,
    pools,
    nodePools: cluster.nodePools !== undefined,
    pricingPool,
    node: (pools[pricingPool] as Pool).node,
    cni: resolved.cni,
    highAvailability: resolved.highAvailability,
    observability: resolved.observability,
    prices,
    defaultsApplied,
    notes
  }
}

/** The fields a sweep varies (SWEEP_FIELDS): each replaces the scenario's own value. */
export type SweptField = 'pods' | 'requestsPerSecondPerPod' | 'services' | 'nodes'

/**
 * The scenario at another value of a swept field, from `base`, the scenario resolved from the same request at
 * another value: only what the field feeds is derived again, by the rules resolveScenario follows (pods feed
 * the defaulted services and clusterPods and a total request rate's share per pod; the rate feeds the traffic
 * groups; services feed what a sidecar sees), and the rest is base's. For the engine's figures only:
 * defaultsApplied and notes stay base's. Undefined where one of resolveScenario's checks could fail at x (or the
 * request gives the field in a form this does not derive): the caller resolves that x in full, which throws the
 * check's own error or gives the scenario.
 */
export function scenarioAt (base: Scenario, request: EstimateRequest, field: SweptField, x: number, models: Models): Scenario | undefined {
  const { defaults } = models
  switch (field) {
    case 'pods': {
      // With several pools, the pool whose prices charge the overhead depends on the pod count: resolved in full.
      if (base.pools.length > 1) return undefined
      const total = request.traffic?.requestsPerSecond
      const requestsPerSecondPerPod = total === undefined ? base.requestsPerSecondPerPod : total / x
      if (total !== undefined && (request.traffic?.requestsPerSecondPerPod !== undefined || requestsPerSecondPerPod > LIMITS.requestsPerSecondPerPod)) return undefined
      const services = request.workload?.services ?? defaultServices(x, defaults)
      const clusterPods = request.workload?.clusterPods ?? x
      if (clusterPods < x || base.waypoints > services) return undefined
      return {
        ...base,
        pods: x,
        requestsPerSecondPerPod,
        trafficGroups: total === undefined ? base.trafficGroups : trafficGroupsOf(base.distribution, requestsPerSecondPerPod, defaults),
        services,
        clusterPods,
        servicesVisiblePerSidecar: servicesVisiblePerSidecar(base.sidecarScoping, services, base.servicesVisibleWhenScoped)
      }
    }
    case 'requestsPerSecondPerPod':
      if (request.traffic?.requestsPerSecond !== undefined) return undefined
      return { ...base, requestsPerSecondPerPod: x, trafficGroups: trafficGroupsOf(base.distribution, x, defaults) }
    case 'services':
      if (base.waypoints > x) return undefined
      return { ...base, services: x, servicesVisiblePerSidecar: servicesVisiblePerSidecar(base.sidecarScoping, x, base.servicesVisibleWhenScoped) }
    case 'nodes': {
      // cluster.nodes describes the one pool of a cluster without nodePools (resolveScenario refuses it with them)
      const [pool] = base.pools as [Pool]
      return base.pools.length === 1 ? { ...base, pools: [{ ...pool, nodes: x }] } : undefined
    }
  }
}
