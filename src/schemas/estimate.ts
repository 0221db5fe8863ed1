// The POST /estimate contract: one TypeBox source for validation, TypeScript types and OpenAPI.
import { Type, type Static } from 'typebox'
import { Range, SourceOut, rangeOf } from './common.js'
import { Delta } from './delta.js'
import { PriceSheet } from '../models/price-sheet.js'
import { CURRENCY_PATTERN, ID_PATTERN, NODE_TYPE_ID_PATTERN, strict } from '../models/schema.js'

export const LIMITS = {
  pods: 1_000_000,
  nodes: 100_000,
  meshes: 20,
  requestsPerSecondPerPod: 100_000,
  podCpuCores: 256,
  podMemoryGiB: 4096,
  nodeVcpu: 1024,
  nodeMemoryGiB: 32_768,
  maxPods: 10_000,
  price: 1_000_000,
  hopsPerRequest: 50,
  waypoints: 1000,
  connectionsPerPod: 1_000_000,
  podChurnPerMinute: 1_000_000,
  nodePools: 20
} as const

export const Basis = Type.Union([Type.Literal('requests'), Type.Literal('usage'), Type.Literal('max')], {
  description: 'requests: what the scheduler reserves; usage: what the components really use; max: max(request, usage) per component, as OpenCost allocates cost (default)'
})
export type Basis = Static<typeof Basis>

export const CNI_IDS = ['cilium', 'calico', 'flannel', 'aws-vpc-cni', 'azure-cni', 'gke-dataplane', 'kubenet', 'other'] as const
export const CNI = Type.Unsafe<typeof CNI_IDS[number]>(Type.Union(
  CNI_IDS.map((c) => Type.Literal(c)),
  { description: 'the CNI the cluster runs today; "cilium" means Cilium is already installed, so its agent is not new overhead' }
))

export const PricingModelIn = Type.Union([Type.Literal('onDemand'), Type.Literal('spot'), Type.Literal('commitment1Year'), Type.Literal('commitment3Year')], {
  description: 'onDemand (default): list prices; spot: Spot prices (GCP publishes them; elsewhere give discountPercent); commitment1Year / commitment3Year: 1- or 3-year commitments with no upfront payment (AWS Standard Reserved Instances, GCP committed use; Azure: give discountPercent)'
})

const NodeTypeIn = Type.String({ pattern: NODE_TYPE_ID_PATTERN, maxLength: 64, description: 'a node type from GET /node-types, e.g. aws/m5.large (default gcp/n2-standard-4)' })
const RegionIn = Type.String({ pattern: '^[a-z0-9-]{2,32}$', description: 'region of the node price, e.g. us-east-1 (default: the node type\'s first priced region)' })
const NetworkModeIn = Type.String({ pattern: '^[a-z0-9-]{1,32}$', description: 'network mode that sets max pods per node, e.g. vpc-cni-prefix (default: the provider\'s default mode)' })
const CustomNode = Type.Object({
  vcpu: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.nodeVcpu, description: 'vCPUs per node' }),
  memoryGiB: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.nodeMemoryGiB, description: 'memory per node, GiB' }),
  maxPods: Type.Integer({ minimum: 1, maximum: LIMITS.maxPods, description: 'max pods per node' }),
  hourlyPrice: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.price, description: 'price per node-hour, in pricing.currency' }))
}, { ...strict, title: 'CustomNode', description: 'a node not in GET /node-types (on-prem, other clouds); excludes nodeType' })

export const NodePool = Type.Object({
  name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._/(),-]{0,62}$', description: 'the pool\'s name in the answer (default: its node type)' })),
  nodeType: Type.Optional(NodeTypeIn),
  region: Type.Optional(RegionIn),
  networkMode: Type.Optional(NetworkModeIn),
  node: Type.Optional(CustomNode),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.nodes, description: 'nodes the pool runs today, without a mesh; the estimate never removes them (default 0)' })),
  maxCount: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.nodes, description: 'the most nodes the cluster autoscaler may run in the pool (its node group\'s maximum size; default: no limit); maxCount equal to count is a pool that never grows' })),
  pricing: Type.Optional(Type.Object({
    model: Type.Optional(PricingModelIn),
    discountPercent: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 100, description: 'your discount off the pool\'s on-demand list price, in percent, under its pricing model (as pricing.discountPercent); with inline unit prices (pricing.cpuCoreHour and memoryGiBHour), it discounts the pool\'s node price alone' }))
  }, { ...strict, minProperties: 1, description: 'the pool\'s own pricing model and discount (e.g. a Spot pool); default: pricing.model and pricing.discountPercent' }))
}, { ...strict, title: 'NodePool', description: 'a node pool: nodeType (with region and networkMode) or node, and how many nodes it runs and may run' })
export type NodePool = Static<typeof NodePool>

export const MeshId = Type.String({ pattern: `^${ID_PATTERN}$`, description: 'a mesh id from GET /meshes' })

export const EstimateRequest = Type.Object({
  pods: Type.Integer({ minimum: 1, maximum: LIMITS.pods, description: 'meshed application pods (count)' }),
  meshes: Type.Optional(Type.Array(MeshId, { minItems: 1, maxItems: LIMITS.meshes, uniqueItems: true, description: 'mesh ids to estimate; default: every shipped model' })),
  baseline: Type.Optional(Type.String({ pattern: `^${ID_PATTERN}$`, description: 'what the cluster runs today: "none" or a mesh id from GET /meshes; each estimate then carries `delta` against it (before, after, change)' })),
  basis: Type.Optional(Basis),
  traffic: Type.Optional(Type.Object({
    requestsPerSecondPerPod: Type.Optional(Type.Number({ minimum: 0, maximum: LIMITS.requestsPerSecondPerPod, description: 'requests per second through each pod\'s proxy, inbound plus outbound (default 35: Istio\'s load-test rate per sidecar)' })),
    requestsPerSecond: Type.Optional(Type.Number({ minimum: 0, maximum: LIMITS.requestsPerSecondPerPod * LIMITS.pods, description: 'total requests per second through all meshed pods\' proxies; instead of requestsPerSecondPerPod' })),
    distribution: Type.Optional(Type.Union([Type.Literal('even'), Type.Literal('skewed')], { description: 'how traffic spreads over pods: even (default), or skewed (20% of the pods carry 80% of the requests)' })),
    hopsPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.hopsPerRequest, description: 'service-to-service calls one user request makes through the mesh; multiplies the latency added (default 1)' })),
    activeConnectionsPerPod: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.connectionsPerPod, description: 'connections held open through each pod\'s proxy, inbound plus outbound; drives proxy and ztunnel memory beyond the 16 the published benchmarks held (default 16: Istio\'s and AKS\'s benchmark setup)' }))
  }, strict)),
  workload: Type.Optional(Type.Object({
    services: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pods, description: 'Kubernetes services in the mesh (default pods / 2, the ratio of Istio\'s load-test mesh)' })),
    clusterPods: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pods * 10, description: 'all pods in the cluster, meshed or not, for the per-pod state node agents hold (Cilium\'s agent); default: pods. Capacity counts the meshed pods only' })),
    servicesVisibleWhenScoped: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pods, description: 'services one sidecar still sees when options.sidecarScoping is on (default 10)' })),
    podChurnPerMinute: Type.Optional(Type.Number({ minimum: 0, maximum: LIMITS.podChurnPerMinute, description: 'pods created or deleted per minute in the cluster (rollouts, autoscaling, jobs); drives control-plane CPU and memory where a model has a churn term (default 0: the steady state the evidence measured)' })),
    waypoints: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.waypoints, description: 'waypoint proxies in ambient meshes (Istio ambient): one per namespace or service that opts into L7 processing, so at most workload.services. Each is a Deployment of its own; the requests through them are shared among them, each request seen once (default 1)' })),
    podRequests: Type.Optional(Type.Object({
      cpuCores: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.podCpuCores, description: 'CPU request of one application pod, cores (default 0.5)' }),
      memoryGiB: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.podMemoryGiB, description: 'memory request of one application pod, GiB (default 2)' })
    }, strict))
  }, strict)),
  cluster: Type.Optional(Type.Object({
    nodes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.nodes, description: 'nodes the cluster runs today, without a mesh; default: as many as the workload needs' })),
    cni: Type.Optional(CNI),
    nodeType: Type.Optional(NodeTypeIn),
    region: Type.Optional(RegionIn),
    networkMode: Type.Optional(NetworkModeIn),
    node: Type.Optional(CustomNode),
    nodePools: Type.Optional(Type.Array(NodePool, {
      minItems: 1,
      maxItems: LIMITS.nodePools,
      description: 'node pools (node groups) instead of one node type: workload pods fill the nodes the pools run, then the pool the cluster autoscaler\'s least-waste expander picks grows; per-node agents run on every node of every pool. Excludes nodeType, region, networkMode, node and nodes'
    }))
  }, strict)),
  options: Type.Optional(Type.Object({
    highAvailability: Type.Optional(Type.Boolean({ description: 'control planes in HA: more replicas, HA requests (default false)' })),
    observability: Type.Optional(Type.Boolean({ description: 'include the mesh\'s observability add-ons (default false)' })),
    proxyRequests: Type.Optional(Type.Object({
      cpuCores: Type.Optional(Type.Number({ minimum: 0, maximum: LIMITS.podCpuCores, description: 'CPU request of the data-plane proxy, cores (istio-proxy, linkerd-proxy, kuma-dp, consul-dataplane per pod; ztunnel, cilium-envoy per node); default: each chart\'s' })),
      memoryGiB: Type.Optional(Type.Number({ minimum: 0, maximum: LIMITS.podMemoryGiB, description: 'memory request of the data-plane proxy, GiB; default: each chart\'s' }))
    }, { ...strict, minProperties: 1, description: 'the data-plane proxy\'s requests as set in Helm values or annotations, for every mesh; waypoints, gateways and control planes keep their own' })),
    sidecarScoping: Type.Optional(Type.Boolean({ description: 'sidecars hold configuration only for the services they call (Istio Sidecar resource and the like) instead of every service in the mesh (default false)' }))
  }, strict)),
  pricing: Type.Optional(Type.Object({
    book: Type.Optional(Type.String({ pattern: `^${ID_PATTERN}$`, description: 'price book id from GET /pricing' })),
    currency: Type.Optional(Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217 code of inline prices (default USD); no exchange rates are applied' })),
    cpuCoreHour: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.price, description: 'price of one vCPU-hour' })),
    memoryGiBHour: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.price, description: 'price of one GiB-hour of memory' })),
    model: Type.Optional(PricingModelIn),
    discountPercent: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 100, description: 'your discount off the on-demand list price, in percent, under pricing.model (a Spot discount, a savings plan, a negotiated rate); needed where the node catalog has no price for the model (AWS and Azure Spot, Azure commitments); replaces the node catalog\'s price for the model where there is one' })),
    sheet: Type.Optional(PriceSheet)
  }, { ...strict, description: 'what the overhead is charged at: a price book, an OpenCost sheet or inline unit prices (one of them, or none for the node catalog\'s node price), under a pricing model' }))
}, {
  ...strict,
  $id: 'EstimateRequest',
  title: 'EstimateRequest',
  description: 'A workload and cluster shape to price. Only `pods` is required.',
  examples: [{ pods: 100 }]
})
export type EstimateRequest = Static<typeof EstimateRequest>

const Quantity = Type.Object({
  cpuCores: Type.Number({ minimum: 0, description: 'CPU, cores' }),
  memoryGiB: Type.Number({ minimum: 0, description: 'memory, GiB (2^30 bytes)' })
}, { ...strict, title: 'Quantity' })

export const ComponentEstimate = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: Type.String({ description: 'perPod (sidecar), perNode (DaemonSet) or cluster (Deployment)' }),
  role: Type.String(),
  replicas: Type.Integer({ minimum: 0, description: 'sidecars, DaemonSet pods or Deployment replicas' }),
  requests: Type.Object({
    perReplica: Quantity,
    total: Quantity
  }, { ...strict, description: 'resource requests from the chart defaults' }),
  usage: Type.Object({
    cpuCores: rangeOf('CPU used by all replicas, cores'),
    memoryGiB: rangeOf('memory used by all replicas, GiB')
  }, { ...strict, description: 'measured usage scaled to the scenario' }),
  basis: Type.Object({
    cpuCores: rangeOf('CPU on the chosen basis, all replicas, cores'),
    memoryGiB: rangeOf('memory on the chosen basis, all replicas, GiB')
  }, { ...strict, description: 'what the totals add up: requests, usage or max(request, usage)' }),
  sources: Type.Array(Type.String(), { description: 'ids of the sources behind this component\'s figures' })
}, { ...strict, title: 'ComponentEstimate' })
export type ComponentEstimate = Static<typeof ComponentEstimate>

const money = (description: string) => rangeOf(description)

const BindingResource = Type.Union([Type.Literal('cpu'), Type.Literal('memory'), Type.Literal('pods')], { description: 'the resource that limits how many workload pods fit on a node with the mesh' })
const nullableMoney = (description: string) => Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description })

const PoolCapacity = Type.Object({
  name: Type.String({ description: 'nodePools[i].name, or the node type' }),
  chargesOverhead: Type.Boolean({ description: 'the mesh\'s CPU and memory are charged at this pool\'s unit prices: the pool the cluster autoscaler\'s least-waste expander would grow for the whole workload' }),
  nodeType: Type.String({ description: 'a node type id from GET /node-types, or "custom"' }),
  pricingModel: PricingModelIn,
  hourlyPrice: nullableMoney('price of one node-hour under the pool\'s pricing model; null when none is known in the currency'),
  maxPodsPerNode: Type.Integer(),
  allocatablePerNode: Quantity,
  nodesWithoutMesh: Type.Integer({ minimum: 0 }),
  nodesWithMesh: Type.Integer({ minimum: 0 }),
  additionalNodes: Type.Integer({ minimum: 0 }),
  podsPerNodeWithoutMesh: Type.Integer({ minimum: 0, description: '0 when a workload pod fits none of the pool\'s nodes' }),
  podsPerNodeWithMesh: Type.Integer({ minimum: 0 }),
  bindingResource: BindingResource,
  nodesMonthlyWithoutMesh: nullableMoney('the pool\'s nodes without the mesh, a month (730 hours) at hourlyPrice; null without a price'),
  nodesMonthlyWithMesh: nullableMoney('the pool\'s nodes with the mesh, a month'),
  additionalNodesMonthly: nullableMoney('the nodes the mesh adds to the pool, a month')
}, { ...strict, title: 'PoolCapacity' })

export const Capacity = Type.Object({
  nodeType: Type.String({ description: 'a node type id from GET /node-types, or "custom"' }),
  maxPodsPerNode: Type.Integer(),
  kubeletMemoryPerNodeGiB: Type.Number({ minimum: 0, description: 'memory the kubelet reports as node capacity, below the nominal size; allocatable and the node price split start from it' }),
  allocatablePerNode: Quantity,
  systemPodsPerNode: Type.Object({
    pods: Type.Integer({ minimum: 0 }),
    cpuCores: Type.Number({ minimum: 0 }),
    memoryGiB: Type.Number({ minimum: 0 })
  }, { ...strict, description: 'the provider\'s own per-node pods (kube-proxy, CNI agent, CSI and log agents) and their requests: counted in packing with and without the mesh' }),
  nodesWithoutMesh: Type.Integer({ minimum: 0 }),
  nodesWithMesh: Type.Integer({ minimum: 0 }),
  additionalNodes: Type.Integer({ minimum: 0 }),
  bindingResource: BindingResource,
  podsPerNodeWithoutMesh: Type.Integer({ minimum: 0 }),
  podsPerNodeWithMesh: Type.Integer({ minimum: 0 }),
  pools: Type.Optional(Type.Array(PoolCapacity, { description: 'with cluster.nodePools: per pool, in the request\'s order; the node counts above are their sums, the node shape above the pool whose prices charge the overhead' }))
}, { ...strict, title: 'Capacity', description: 'workload plus mesh packed onto nodes by requests, as the scheduler and autoscaler do' })
export type Capacity = Static<typeof Capacity>

const msRange = (description: string) => rangeOf(description)

export const LatencyEstimate = Type.Object({
  hopsPerRequest: Type.Integer({ minimum: 1 }),
  perHop: Type.Object({
    p50Ms: Type.Optional(msRange('median latency one hop adds, milliseconds')),
    p90Ms: Type.Optional(msRange('90th percentile latency one hop adds, milliseconds')),
    p99Ms: msRange('99th percentile latency one hop adds, milliseconds')
  }, strict),
  perRequest: Type.Object({
    p50Ms: Type.Optional(msRange('per hop x hopsPerRequest, milliseconds')),
    p90Ms: Type.Optional(msRange('per hop x hopsPerRequest, milliseconds')),
    p99Ms: msRange('per hop x hopsPerRequest, milliseconds (percentiles do not add exactly: an estimate)')
  }, strict),
  sources: Type.Array(Type.String())
}, { ...strict, title: 'LatencyEstimate', description: 'latency the data path adds: one hop is one request from a client pod to a server pod through both proxies' })
export type LatencyEstimate = Static<typeof LatencyEstimate>

export const MeshEstimate = Type.Object({
  mesh: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  version: Type.String({ description: 'mesh version the figures apply to' }),
  totals: Type.Object({
    cpuCores: rangeOf('CPU overhead on the chosen basis, cores'),
    memoryGiB: rangeOf('memory overhead on the chosen basis, GiB'),
    sidecars: Type.Integer({ minimum: 0, description: 'proxy containers injected into application pods' }),
    extraPods: Type.Integer({ minimum: 0, description: 'pods the mesh adds: DaemonSet pods plus Deployment replicas' })
  }, strict),
  components: Type.Array(ComponentEstimate),
  capacity: Capacity,
  latency: Type.Union([LatencyEstimate, Type.Null()], { description: 'null when no per-hop benchmark is published for this mesh' }),
  cost: Type.Object({
    currency: Type.String(),
    hourly: money('allocated cost of the overhead per hour: cpuCores x cpuCoreHour + memoryGiB x memoryGiBHour'),
    monthly: money('hourly x 730'),
    yearly: money('hourly x 8760'),
    additionalNodesMonthly: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'marginal cost: additional nodes x node price x 730; null when the node price is unknown or in another currency' })
  }, { ...strict, description: 'allocated cost at unit prices (what OpenCost would charge the mesh) and marginal cost of the extra nodes' }),
  delta: Type.Optional(Delta),
  sources: Type.Array(SourceOut, { description: 'the sources behind this estimate\'s figures, cited by title, kind and URL; GET /meshes/{id} gives the conditions and reasoning of each' })
}, { ...strict, title: 'MeshEstimate' })
export type MeshEstimate = Static<typeof MeshEstimate>

export const SensitivityOutcome = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()], { description: 'the input halved or doubled; null for the proxy requests (each chart\'s default x 0.5 or x 2)' }),
  monthly: Type.Number({ description: 'the mesh\'s expected monthly cost (cost.monthly.expected) with the input changed' }),
  additionalNodesMonthly: Type.Union([Type.Number(), Type.Null()], { description: 'the additional nodes\' monthly cost with the input changed; null without a node price' })
}, strict)
export type SensitivityOutcome = Static<typeof SensitivityOutcome>

export const MeshSensitivity = Type.Object({
  mesh: Type.String(),
  monthly: Type.Number({ description: 'cost.monthly.expected as estimated' }),
  additionalNodesMonthly: Type.Union([Type.Number(), Type.Null()], { description: 'cost.additionalNodesMonthly as estimated' }),
  inputs: Type.Array(Type.Object({
    field: Type.String({ description: 'JSON pointer of the defaulted request field' }),
    value: Type.Union([Type.Number(), Type.String()], { description: 'the default applied' }),
    halved: Type.Union([SensitivityOutcome, Type.Null()], { description: 'null when the scenario has no answer so (a pod that fits on no node)' }),
    doubled: Type.Union([SensitivityOutcome, Type.Null()]),
    impactMonthly: Type.Number({ minimum: 0, description: 'the largest change, halved or doubled, of either monthly figure from the estimate as given' })
  }, strict), { description: 'largest impactMonthly first' })
}, strict)
export type MeshSensitivity = Static<typeof MeshSensitivity>

export const Assumptions = Type.Object({
  basis: Basis,
  hoursPerMonth: Type.Literal(730),
  pricing: Type.Object({
    source: Type.String({ description: 'price book id, "inline", "sheet" (pricing.sheet), "price-sheet-file" (PRICE_SHEET_FILE) or "derived-from-node-price"' }),
    model: PricingModelIn,
    currency: Type.String(),
    cpuCoreHour: Type.Number({ description: 'price of one vCPU-hour under the model, as computed with' }),
    memoryGiBHour: Type.Number({ description: 'price of one GiB-hour under the model, as computed with' }),
    gpuHour: Type.Optional(Type.Number({ description: 'the GPU share of a GPU node\'s price, per GPU-hour, when unit prices are derived from the node price' })),
    discountPercent: Type.Optional(Type.Number({ description: 'the discount off the on-demand price that was applied' })),
    asOf: Type.Optional(Type.String({ description: 'date of the price list the unit prices come from (the node price\'s, a book\'s); absent for inline prices and sheets' })),
    node: Type.Optional(Type.Object({
      nodeType: Type.String(),
      region: Type.String(),
      hourly: Type.Number({ description: 'price per node-hour under the model: what additional nodes cost' }),
      onDemandHourly: Type.Number({ description: 'on-demand list price per node-hour' }),
      asOf: Type.String({ description: 'date of the price list the node price was read from' }),
      sources: Type.Array(Type.String(), { description: 'ids of the node catalog\'s sources, in GET /node-types' })
    }, { ...strict, description: 'the node catalog\'s node price used, when the node type is from GET /node-types and in the prices\' currency' }))
  }, strict),
  requestsPerSecondPerPod: Type.Number(),
  trafficDistribution: Type.String(),
  hopsPerRequest: Type.Integer(),
  services: Type.Integer(),
  clusterPods: Type.Integer(),
  servicesVisiblePerSidecar: Type.Integer({ description: 'services each sidecar holds configuration for' }),
  activeConnectionsPerPod: Type.Integer({ description: 'connections held open through each pod\'s proxy' }),
  podChurnPerMinute: Type.Number({ description: 'pods created or deleted per minute in the cluster' }),
  waypoints: Type.Integer({ description: 'waypoint proxies, for meshes that have them' }),
  sidecarScoping: Type.Boolean(),
  podRequests: Quantity,
  proxyRequests: Type.Object({
    cpuCores: Type.Union([Type.Number(), Type.Null()]),
    memoryGiB: Type.Union([Type.Number(), Type.Null()])
  }, { ...strict, description: 'options.proxyRequests as applied to every mesh\'s data-plane proxy; null: each chart\'s default' }),
  cni: Type.String(),
  highAvailability: Type.Boolean(),
  observability: Type.Boolean(),
  defaultsApplied: Type.Array(Type.Object({
    field: Type.String({ description: 'JSON pointer of the request field' }),
    value: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]),
    reason: Type.String()
  }, strict)),
  sensitivity: Type.Array(MeshSensitivity, { description: 'which defaulted inputs move the monthly cost most: per mesh, each defaulted input that scales halved and doubled, largest change first' }),
  notes: Type.Array(Type.String(), { description: 'rules applied and warnings, in plain sentences' })
}, { ...strict, title: 'Assumptions' })
export type Assumptions = Static<typeof Assumptions>

export const EstimateResponse = Type.Object({
  estimates: Type.Array(MeshEstimate),
  assumptions: Assumptions
}, { ...strict, $id: 'EstimateResponse', title: 'EstimateResponse' })
export type EstimateResponse = Static<typeof EstimateResponse>

export const View = Type.Union([Type.Literal('full'), Type.Literal('summary')], {
  description: 'full (default): every component, its requests, usage and sources, and the assumptions; summary: per mesh the totals, capacity and cost only (and delta with a baseline), a few KB for six meshes'
})
export type View = Static<typeof View>

export const MeshSummary = Type.Object({
  mesh: MeshEstimate.properties.mesh,
  name: MeshEstimate.properties.name,
  mode: MeshEstimate.properties.mode,
  version: MeshEstimate.properties.version,
  totals: MeshEstimate.properties.totals,
  capacity: Capacity,
  cost: MeshEstimate.properties.cost,
  delta: Type.Optional(Delta)
}, { ...strict, title: 'MeshSummary', description: 'one mesh\'s estimate, the figures only: view=full adds components, latency and sources' })
export type MeshSummary = Static<typeof MeshSummary>

export const EstimateSummaryResponse = Type.Object({
  view: Type.Literal('summary'),
  basis: Basis,
  estimates: Type.Array(MeshSummary),
  notes: Type.Array(Type.String(), { description: 'warnings about this scenario (the rules applied to every scenario, and the defaults, are in view=full)' })
}, { ...strict, $id: 'EstimateSummaryResponse', title: 'EstimateSummaryResponse', description: 'POST/GET /estimate with view=summary' })
export type EstimateSummaryResponse = Static<typeof EstimateSummaryResponse>

export { Range }
