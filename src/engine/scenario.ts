// Turns a request (every field but `pods` optional) into a complete scenario, recording each default applied.
import type { Models } from '../models/load.js'
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { MeshModel, NodeCatalog, NodePrice, Reservation } from '../models/schema.js'
import { LIMITS, type Assumptions, type Basis, type EstimateRequest } from '../schemas/estimate.js'
import { ScenarioError } from './errors.js'
import { resolvePricing, type PricedNode, type Pricing } from './pricing.js'

export interface NodeShape {
  id: string
  vcpu: number
  /** nominal memory, as the provider sells it */
  memoryGiB: number
  /** memory the kubelet reports as node capacity: what allocatable and OpenCost's price split start from */
  kubeletMemoryGiB: number
  maxPods: number
  /** the provider's own per-node pods (kube-proxy, CNI agent...), there with or without a mesh */
  systemPods: { pods: number, cpuCores: number, memoryGiB: number }
  /** null when no price is known for the region or in the scenario's currency */
  hourlyPrice: number | null
  reservation: Reservation
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
  /** Nodes the cluster runs today, when the request says; otherwise derived by packing. */
  nodes: number | null
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
  let total = systemPodTotals.get(nodeCatalog)
  if (total === undefined) {
    total = Object.freeze({
      pods: nodeCatalog.systemPods.length,
      cpuCores: nodeCatalog.systemPods.reduce((sum, pod) => sum + cpuCores(pod.cpu), 0),
      memoryGiB: nodeCatalog.systemPods.reduce((sum, pod) => sum + memoryGiB(pod.memory), 0)
    })
    systemPodTotals.set(nodeCatalog, total)
  }
  return total
}

/** Used for custom nodes, which bring no reservation rule of their own. */
function genericReservation (nodeCatalogs: Models['nodeCatalogs']): { reservation: Reservation, from: string } {
  const gcp = nodeCatalogs.get('gcp')
  const first = gcp ?? [...nodeCatalogs.values()][0]
  if (first === undefined) throw new Error('no node catalog loaded')
  return { reservation: first.reservation, from: first.name }
}

function resolveMeshes (request: EstimateRequest, models: Models, defaultsApplied: Scenario['defaultsApplied']): MeshModel[] {
  if (request.meshes === undefined) {
    const all = [...models.meshes.keys()]
    defaultsApplied.push({ field: '/meshes', value: all, reason: 'every shipped mesh model' })
    return [...models.meshes.values()]
  }
  const unknown = request.meshes
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !models.meshes.has(id))
  if (unknown.length > 0) {
    const known = [...models.meshes.keys()].join(', ')
    throw new ScenarioError(unknown.map(({ id, i }) => ({ pointer: `/meshes/${i}`, detail: `unknown mesh "${id}"; known meshes: ${known}` })))
  }
  return request.meshes.map((id) => models.meshes.get(id) as MeshModel)
}

function knownNode (models: Models, id: string, region: string | undefined, networkMode: string | undefined, regionPointer: string): { node: NodeShape, nodeCatalog: NodeCatalog, region: string, mode: string, price: NodePrice, gpus: number } {
  const entry = models.nodeTypes.get(id)
  if (entry === undefined) {
    throw new ScenarioError([{ pointer: '/cluster/nodeType', detail: `unknown node type "${id}"; see GET /node-types` }])
  }
  const { nodeCatalog, nodeType } = entry
  const chosenRegion = region ?? (nodeType.prices[0] as { region: string }).region
  const price = nodeType.prices.find((p) => p.region === chosenRegion)
  if (price === undefined) {
    const regions = nodeType.prices.map((p) => p.region).join(', ')
    throw new ScenarioError([{ pointer: regionPointer, detail: `no price for ${id} in region "${chosenRegion}"; priced regions: ${regions}` }])
  }
  const mode = networkMode ?? (nodeCatalog.networkModes[0] as { id: string }).id
  const maxPods = nodeType.maxPods[mode]
  if (maxPods === undefined) {
    const modes = nodeCatalog.networkModes.map((m) => m.id).join(', ')
    throw new ScenarioError([{ pointer: '/cluster/networkMode', detail: `unknown network mode "${mode}" for ${nodeCatalog.provider}; known: ${modes}` }])
  }
  return {
    node: {
      id,
      vcpu: nodeType.vcpu,
      memoryGiB: nodeType.memoryGiB,
      kubeletMemoryGiB: nodeType.memoryGiB * nodeCatalog.kubeletMemory.capacityFraction,
      maxPods,
      systemPods: systemPodsOf(nodeCatalog),
      hourlyPrice: price.hourly,
      reservation: nodeCatalog.reservation
    },
    nodeCatalog,
    region: chosenRegion,
    mode,
    price,
    gpus: nodeType.gpu?.count ?? 0
  }
}

export function resolveScenario (request: EstimateRequest, models: Models): Scenario {
  const { defaults } = models
  const defaultsApplied: Scenario['defaultsApplied'] = []
  const notes: string[] = []
  const meshes = resolveMeshes(request, models, defaultsApplied)

  const basis = request.basis ?? 'max'
  if (request.basis === undefined) defaultsApplied.push({ field: '/basis', value: 'max', reason: 'OpenCost allocates max(request, usage) per container' })

  const traffic = request.traffic ?? {}
  if (traffic.requestsPerSecond !== undefined && traffic.requestsPerSecondPerPod !== undefined) {
    throw new ScenarioError([{ pointer: '/traffic/requestsPerSecond', detail: 'give either requestsPerSecond (total) or requestsPerSecondPerPod, not both' }])
  }
  let requestsPerSecondPerPod = traffic.requestsPerSecond === undefined ? traffic.requestsPerSecondPerPod : traffic.requestsPerSecond / request.pods
  if (traffic.requestsPerSecond !== undefined && (requestsPerSecondPerPod as number) > LIMITS.requestsPerSecondPerPod) {
    throw new ScenarioError([{ pointer: '/traffic/requestsPerSecond', detail: `is ${requestsPerSecondPerPod} per pod over ${request.pods} pods; at most ${LIMITS.requestsPerSecondPerPod} per pod` }])
  }
  if (requestsPerSecondPerPod === undefined) {
    requestsPerSecondPerPod = defaults.requestsPerSecondPerPod.value
    defaultsApplied.push({ field: '/traffic/requestsPerSecondPerPod', value: requestsPerSecondPerPod, reason: defaults.requestsPerSecondPerPod.note ?? 'default in models/defaults.yaml' })
  }

  let services = request.workload?.services
  if (services === undefined) {
    services = Math.max(1, Math.ceil(request.pods / defaults.podsPerService.value))
    defaultsApplied.push({ field: '/workload/services', value: services, reason: defaults.podsPerService.note ?? 'default in models/defaults.yaml' })
  }

  const clusterPods = request.workload?.clusterPods ?? request.pods
  if (clusterPods < request.pods) throw new ScenarioError([{ pointer: '/workload/clusterPods', detail: `counts every pod in the cluster, so it cannot be fewer than the ${request.pods} meshed pods` }])
  if (request.workload?.clusterPods === undefined) defaultsApplied.push({ field: '/workload/clusterPods', value: clusterPods, reason: 'the meshed pods are all the pods in the cluster' })

  const distribution = traffic.distribution ?? 'even'
  if (traffic.distribution === undefined) defaultsApplied.push({ field: '/traffic/distribution', value: 'even', reason: 'every pod carries the same traffic' })
  const { podShare, trafficShare } = defaults.skewedTraffic
  const trafficGroups: TrafficGroup[] = distribution === 'even'
    ? [{ podShare: 1, requestsPerSecondPerPod }]
    : [
        { podShare, requestsPerSecondPerPod: requestsPerSecondPerPod * trafficShare / podShare },
        { podShare: 1 - podShare, requestsPerSecondPerPod: requestsPerSecondPerPod * (1 - trafficShare) / (1 - podShare) }
      ]
  if (distribution === 'skewed') notes.push(`Skewed traffic: ${podShare * 100}% of the pods carry ${trafficShare * 100}% of the requests (${defaults.skewedTraffic.note ?? 'default in models/defaults.yaml'}).`)
  const hopsPerRequest = traffic.hopsPerRequest ?? 1
  if (traffic.hopsPerRequest === undefined) defaultsApplied.push({ field: '/traffic/hopsPerRequest', value: 1, reason: 'latency is given for one service-to-service call' })

  const sidecarScoping = request.options?.sidecarScoping ?? false
  if (request.options?.sidecarScoping === undefined) defaultsApplied.push({ field: '/options/sidecarScoping', value: false, reason: 'sidecars see every service, as installed' })
  let servicesVisiblePerSidecar = services
  const servicesVisibleWhenScoped = request.workload?.servicesVisibleWhenScoped ?? defaults.servicesVisibleWhenScoped.value
  if (sidecarScoping) {
    if (request.workload?.servicesVisibleWhenScoped === undefined) {
      defaultsApplied.push({ field: '/workload/servicesVisibleWhenScoped', value: servicesVisibleWhenScoped, reason: defaults.servicesVisibleWhenScoped.note ?? 'default in models/defaults.yaml' })
    }
    servicesVisiblePerSidecar = Math.min(services, servicesVisibleWhenScoped)
  }

  const waypoints = request.workload?.waypoints ?? 1
  if (waypoints > services) throw new ScenarioError([{ pointer: '/workload/waypoints', detail: `is ${waypoints}, but a waypoint serves a namespace or a service, and the mesh has ${services} service${services === 1 ? '' : 's'}: at most ${services}` }])
  if (request.workload?.waypoints === undefined) defaultsApplied.push({ field: '/workload/waypoints', value: 1, reason: 'one waypoint proxy: a single namespace or service opts into L7 processing (ambient meshes only)' })

  let podRequests = request.workload?.podRequests
  if (podRequests === undefined) {
    podRequests = { cpuCores: cpuCores(defaults.podCpu.value), memoryGiB: memoryGiB(defaults.podMemory.value) }
    defaultsApplied.push({ field: '/workload/podRequests', value: `${defaults.podCpu.value} CPU, ${defaults.podMemory.value} memory`, reason: defaults.podCpu.note ?? 'default in models/defaults.yaml' })
  }

  const cluster = request.cluster ?? {}
  if (cluster.node !== undefined && (cluster.nodeType !== undefined || cluster.region !== undefined || cluster.networkMode !== undefined)) {
    throw new ScenarioError([{ pointer: '/cluster/node', detail: 'give either cluster.node (a custom node) or cluster.nodeType with region and networkMode, not both' }])
  }

  // The node the workload runs on.
  let node: NodeShape
  let priced: PricedNode
  if (cluster.node !== undefined) {
    const { reservation, from } = genericReservation(models.nodeCatalogs)
    node = { id: 'custom', ...cluster.node, kubeletMemoryGiB: cluster.node.memoryGiB, systemPods: NO_SYSTEM_PODS, hourlyPrice: cluster.node.hourlyPrice ?? null, reservation }
    // No provider: the price split falls back to the default book's CPU:RAM ratio (see pricing.ts).
    priced = { id: 'custom', vcpu: node.vcpu, kubeletMemoryGiB: node.kubeletMemoryGiB, gpus: 0, explicit: true, ...(cluster.node.hourlyPrice === undefined ? {} : { customHourly: cluster.node.hourlyPrice }) }
    notes.push(`Custom node: allocatable follows the ${from} reservation rule, the one documented rule that depends only on capacity; its memory is taken as the kubelet reports it, and no system pods are counted on it.`)
  } else {
    const id = cluster.nodeType ?? defaults.nodeType.value
    const region = cluster.nodeType === undefined && cluster.region === undefined ? defaults.region.value : cluster.region
    if (cluster.nodeType === undefined) defaultsApplied.push({ field: '/cluster/nodeType', value: id, reason: defaults.nodeType.note ?? 'default in models/defaults.yaml' })
    const resolved = knownNode(models, id, region, cluster.networkMode, cluster.region === undefined ? '/cluster/nodeType' : '/cluster/region')
    node = resolved.node
    const { priceSplit, provider } = resolved.nodeCatalog
    priced = {
      id,
      vcpu: node.vcpu,
      kubeletMemoryGiB: node.kubeletMemoryGiB,
      gpus: resolved.gpus,
      nodeCatalogPrice: resolved.price,
      explicit: cluster.nodeType !== undefined,
      priceSplit: { cpuCoreHour: priceSplit.cpuCoreHour, memoryGiBHour: priceSplit.memoryGiBHour, label: `OpenCost's ${provider} CPU:memory price ratio (${(priceSplit.cpuCoreHour / priceSplit.memoryGiBHour).toFixed(2)} GiB-hours per vCPU-hour)` }
    }
    if (cluster.region === undefined) defaultsApplied.push({ field: '/cluster/region', value: resolved.region, reason: cluster.nodeType === undefined ? 'region of the default node type' : 'first priced region of the node type' })
    if (cluster.networkMode === undefined) defaultsApplied.push({ field: '/cluster/networkMode', value: resolved.mode, reason: `default network mode of ${resolved.nodeCatalog.name}` })
  }

  // Unit prices and the node price, under the pricing model (see pricing.ts).
  const { pricing: prices, nodeHourly } = resolvePricing(request, models, priced, defaultsApplied, notes)
  node.hourlyPrice = nodeHourly

  const cni = cluster.cni ?? 'other'
  if (cluster.cni === undefined) defaultsApplied.push({ field: '/cluster/cni', value: 'other', reason: 'no CNI given: nothing a mesh needs is assumed to be installed already' })
  const highAvailability = request.options?.highAvailability ?? false
  if (request.options?.highAvailability === undefined) defaultsApplied.push({ field: '/options/highAvailability', value: false, reason: 'the charts\' default install' })
  const proxyRequests = request.options?.proxyRequests ?? {}
  if (request.options?.proxyRequests === undefined) defaultsApplied.push({ field: '/options/proxyRequests', value: 'chart defaults', reason: 'each mesh\'s proxy (sidecar or per-node proxy) requests what its chart or injector sets by default' })
  const observability = request.options?.observability ?? false
  if (request.options?.observability === undefined) defaultsApplied.push({ field: '/options/observability', value: false, reason: 'the observability add-ons are optional installs' })

  return {
    pods: request.pods,
    meshes,
    basis,
    requestsPerSecondPerPod,
    distribution,
    trafficGroups,
    hopsPerRequest,
    services,
    clusterPods,
    sidecarScoping,
    servicesVisibleWhenScoped,
    servicesVisiblePerSidecar,
    proxyRequests,
    proxyRequestScale: 1,
    waypoints,
    podRequests,
    nodes: cluster.nodes ?? null,
    node,
    cni,
    highAvailability,
    observability,
    prices,
    defaultsApplied,
    notes
  }
}
