// Scenario in, estimate out. Pure and deterministic: no I/O, no clock, no randomness.
import type { Models } from '../models/load.js'
import { cpuCores, memoryGiB } from '../models/quantity.js'
import { BENCHMARK_CONNECTIONS, type Component, type MeshModel, type ScalingDriver } from '../models/schema.js'
import type { Range, SourceOut } from '../schemas/common.js'
import type { Capacity, ComponentEstimate, EstimateRequest, LatencyEstimate, MeshEstimate, MeshSummary } from '../schemas/estimate.js'
import { allocatable, NO_AGENTS, pack, packer, type PackInput, type Packer, type PackResult, type PoolPacking, type Resources } from './capacity.js'
import { withBaseline } from './delta.js'
import { resolveScenario, type Scenario } from './scenario.js'
import { cacheOf, memoized } from './memo.js'
import { HOURS_PER_MONTH, HOURS_PER_YEAR, mapRange, round, roundRange } from '../units.js'
import { driversOf, numeric, OneReplica, replicaUsage, termsAt, type DriverValues } from './usage.js'
import { BasisTotals, emptyPublished, replicasOf, ReplicaSums, type PublishedTotals } from './totals.js'

/** Is this component part of the scenario's install, and new overhead? */
export function included (component: Component, scenario: Scenario): boolean {
  if (component.enabledBy === 'observability' && !scenario.observability) return false
  if (component.providedByCni !== undefined && component.providedByCni === scenario.cni) return false
  return true
}

/** Replicas of a cluster-scoped component before autoscaling: the chart's count (HA or not), per waypoint. */
function baseReplicas (component: Component, scenario: Scenario): number {
  const r = component.replicas
  const count = scenario.highAvailability ? r?.highAvailability ?? 1 : r?.default ?? 1
  return r?.perWaypoint === true ? count * scenario.waypoints : count
}

/**
 * Replicas as the chart's HorizontalPodAutoscaler settles them: the fewest, from the base count up to
 * maxReplicas, at which one replica's expected CPU is within the target share of its CPU request
 * (the HPA's desiredReplicas = ceil(current x usage / target), run to its fixed point).
 */
export function autoscaledReplicas (component: Component, scenario: Scenario, requests: Resources): number {
  const base = baseReplicas(component, scenario)
  const hpa = component.replicas?.autoscaling
  if (hpa === undefined) return base
  const target = requests.cpuCores * hpa.targetCpuUtilizationPercent / 100
  let replicas = Math.max(base, hpa.minReplicas)
  if (target <= 0) return replicas
  while (replicas < hpa.maxReplicas && expectedCpuAt(component, scenario, replicas) > target) replicas++
  return replicas
}

/** One replica's expected CPU at the average traffic, as sumReplicas computes it. */
function expectedCpuAt (component: Component, scenario: Scenario, replicas: number): number {
  setDrivers(component, scenario, replicas, scenario.requestsPerSecondPerPod)
  termsAt(numeric(component.usage), drivers, one)
  return Math.min(one.cpuExpected, usageCeiling(component, scenario).cpuCores)
}

/**
 * The data-plane proxy of a mesh: the per-pod sidecar or per-node proxy that carries the traffic (istio-proxy,
 * linkerd-proxy, ztunnel, cilium-envoy, kuma-dp, consul-dataplane). options.proxyRequests sets its requests.
 */
export const isProxy = (component: Component): boolean => component.role === 'data-plane' && component.scope !== 'cluster'

// A component's chart requests, parsed once per component (default and high-availability install).
const chartRequests = new WeakMap<Component, { standard: Resources, highAvailability: Resources }>()

const parseRequests = (r: Component['requests']): Resources => Object.freeze({ cpuCores: cpuCores(r.cpu), memoryGiB: memoryGiB(r.memory) })
function parseChartRequests (component: Component): { standard: Resources, highAvailability: Resources } {
  const standard = parseRequests(component.requests)
  return { standard, highAvailability: component.requestsHighAvailability ? parseRequests(component.requestsHighAvailability) : standard }
}

function chartRequestsOf (component: Component, highAvailability: boolean): Resources {
  const parsed = memoized(chartRequests, component, parseChartRequests)
  return highAvailability ? parsed.highAvailability : parsed.standard
}

// A component's chart limits, parsed once per component.
const chartLimits = new WeakMap<Component, Resources>()

/**
 * The most one replica can use: its chart's limits (throttled at the CPU limit, killed beyond the memory limit) and
 * the allocatable of the node it runs on, whichever is less. Every usage figure of a replica stops there.
 */
const parseLimits = ({ limits: l }: Component): Resources => Object.freeze({
  cpuCores: l?.cpu === undefined ? Number.POSITIVE_INFINITY : cpuCores(l.cpu),
  memoryGiB: l?.memory === undefined ? Number.POSITIVE_INFINITY : memoryGiB(l.memory)
})

export function usageCeiling (component: Component, scenario: Scenario): Resources {
  const limits = memoized(chartLimits, component, parseLimits)
  const node = allocatable(scenario.node)
  return { cpuCores: Math.min(limits.cpuCores, node.cpuCores), memoryGiB: Math.min(limits.memoryGiB, node.memoryGiB) }
}

export function requestsOf (component: Component, scenario: Scenario): Resources {
  const chart = chartRequestsOf(component, scenario.highAvailability)
  if (!isProxy(component)) return chart
  const { proxyRequests: given, proxyRequestScale: scale } = scenario
  return { cpuCores: given.cpuCores ?? chart.cpuCores * scale, memoryGiB: given.memoryGiB ?? chart.memoryGiB * scale }
}

/**
 * What one replica's usage terms are multiplied by (`value`), for one replica of `component` in `scenario`: set
 * before each replicaUsage, one object reused call after call (the engine is synchronous and reads it at once).
 * Sidecars see the traffic of their own pod and, when scoped, only the services they call; per-node and cluster
 * replicas share all the traffic and see every service.
 * requestsPerSecondPerPod counts inbound plus outbound, so the pods' sum counts each request twice (client's
 * and server's proxy): a component that sees each request once (a waypoint) gets half of it.
 */
class ScenarioDrivers implements DriverValues {
  component = undefined as unknown as Component
  scenario = undefined as unknown as Scenario
  replicas = 0
  requestsPerSecondPerPod = 0

  value (driver: ScalingDriver): number {
    const { component, scenario, replicas, requestsPerSecondPerPod } = this
    const sidecar = component.scope === 'perPod'
    const visibleServices = sidecar ? scenario.servicesVisiblePerSidecar : scenario.services
    const shared = Math.max(1, replicas)
    switch (driver) {
      case 'thousandRequestsPerSecond': {
        if (sidecar) return requestsPerSecondPerPod / 1000
        const passes = component.traffic === 'eachRequestOnce' ? 0.5 : 1
        return scenario.pods * scenario.requestsPerSecondPerPod * passes / shared / 1000
      }
      case 'visibleService': return visibleServices
      case 'visibleEndpoint': return scenario.pods * visibleServices / scenario.services // endpoints of the visible services
      case 'meshedPod': return scenario.pods
      case 'meshedPodPerReplica': return scenario.pods / shared
      case 'clusterPod': return scenario.clusterPods
      case 'activeConnection': {
        // a sidecar holds its pod's connections; a node or cluster proxy those of the pods it carries, shared
        const held = sidecar ? scenario.activeConnectionsPerPod : scenario.pods * scenario.activeConnectionsPerPod * (component.traffic === 'eachRequestOnce' ? 0.5 : 1) / shared
        return Math.max(0, held - BENCHMARK_CONNECTIONS)
      }
      case 'podChurnPerMinute': return scenario.podChurnPerMinute // every replica watches every pod event
    }
  }
}

const drivers = new ScenarioDrivers()
const one = new OneReplica()

function setDrivers (component: Component, scenario: Scenario, replicas: number, requestsPerSecondPerPod: number): void {
  drivers.component = component; drivers.scenario = scenario; drivers.replicas = replicas; drivers.requestsPerSecondPerPod = requestsPerSecondPerPod
}

// A component's source ids depend on the model alone: collected once per component, not per estimate.
const componentSourceIds = new WeakMap<Component, readonly string[]>()

/** Frozen and shared by every answer: nothing downstream mutates an estimate's source lists. */
function componentSources (component: Component): string[] {
  return memoized(componentSourceIds, component, frozenSources) as string[]
}
const frozenSources = (component: Component): readonly string[] => Object.freeze(collectSources(component))

function collectSources (component: Component): string[] {
  const ids = new Set<string>()
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'sources' && Array.isArray(child)) child.forEach((id) => ids.add(String(id)))
        else visit(child)
      }
    }
  }
  visit(component)
  return [...ids].sort()
}

/**
 * One replica's figure on the chosen basis. OpenCost's max(request, usage) is taken per container, so per group
 * of like replicas, never on sums.
 */
function onBasisOf (basis: Scenario['basis'], request: number, used: number): number {
  if (basis === 'requests') return request
  if (basis === 'usage') return used
  return Math.max(request, used)
}

// The average traffic as the one group of a component that is not a sidecar: per-node and cluster replicas share it.
const AVERAGE = [{ podShare: 1, requestsPerSecondPerPod: NaN }] as const

/**
 * Usage of all replicas, and what they count for on the scenario's basis (requests, usage or the larger), into
 * `sums` (reset first). Sidecars are split into the traffic groups (hot and cold pods); everything else sees the
 * average. Per group, one replica's usage is replicaUsage's (usage.ts: the terms, then a fitted figure's range) into
 * the reused `one`, each bound stopped at the replica's ceiling (usageCeiling); summed over the groups as replicas x
 * share x usage, in plain numbers, because sensitivity runs it a dozen times per mesh and sweeps once per mesh and x,
 * and the ranges it allocated were most of the engine's garbage.
 */
export function sumReplicas (sums: ReplicaSums, component: Component, scenario: Scenario, replicas: number, requests: Resources): void {
  const model = numeric(component.usage)
  const groups = component.scope === 'perPod' ? scenario.trafficGroups : AVERAGE
  const basis = scenario.basis
  const ceiling = usageCeiling(component, scenario)
  let usedCpuLow = 0; let usedCpuExpected = 0; let usedCpuHigh = 0
  let usedMemoryLow = 0; let usedMemoryExpected = 0; let usedMemoryHigh = 0
  let basisCpuLow = 0; let basisCpuExpected = 0; let basisCpuHigh = 0
  let basisMemoryLow = 0; let basisMemoryExpected = 0; let basisMemoryHigh = 0
  for (const group of groups) {
    const n = replicas * group.podShare
    const requestsPerSecondPerPod = groups === AVERAGE ? scenario.requestsPerSecondPerPod : group.requestsPerSecondPerPod
    setDrivers(component, scenario, replicas, requestsPerSecondPerPod)
    replicaUsage(model, drivers, one)
    const cpuLow = Math.min(one.cpuLow, ceiling.cpuCores); const cpuExpected = Math.min(one.cpuExpected, ceiling.cpuCores); const cpuHigh = Math.min(one.cpuHigh, ceiling.cpuCores)
    const memoryLow = Math.min(one.memoryLow, ceiling.memoryGiB); const memoryExpected = Math.min(one.memoryExpected, ceiling.memoryGiB); const memoryHigh = Math.min(one.memoryHigh, ceiling.memoryGiB)
    usedCpuLow += n * cpuLow; usedCpuExpected += n * cpuExpected; usedCpuHigh += n * cpuHigh
    usedMemoryLow += n * memoryLow; usedMemoryExpected += n * memoryExpected; usedMemoryHigh += n * memoryHigh
    basisCpuLow += n * onBasisOf(basis, requests.cpuCores, cpuLow)
    basisCpuExpected += n * onBasisOf(basis, requests.cpuCores, cpuExpected)
    basisCpuHigh += n * onBasisOf(basis, requests.cpuCores, cpuHigh)
    basisMemoryLow += n * onBasisOf(basis, requests.memoryGiB, memoryLow)
    basisMemoryExpected += n * onBasisOf(basis, requests.memoryGiB, memoryExpected)
    basisMemoryHigh += n * onBasisOf(basis, requests.memoryGiB, memoryHigh)
  }
  sums.usedCpuLow = usedCpuLow; sums.usedCpuExpected = usedCpuExpected; sums.usedCpuHigh = usedCpuHigh
  sums.usedMemoryLow = usedMemoryLow; sums.usedMemoryExpected = usedMemoryExpected; sums.usedMemoryHigh = usedMemoryHigh
  sums.basisCpuLow = basisCpuLow; sums.basisCpuExpected = basisCpuExpected; sums.basisCpuHigh = basisCpuHigh
  sums.basisMemoryLow = basisMemoryLow; sums.basisMemoryExpected = basisMemoryExpected; sums.basisMemoryHigh = basisMemoryHigh
}

/** One included component's figures before rounding: what the full answer and the totals are both made from. */
interface ComponentFigures {
  component: Component
  replicas: number
  requests: Resources
  sums: ReplicaSums
}

function componentFigures (component: Component, scenario: Scenario, replicas: number, requests: Resources): ComponentFigures {
  const sums = new ReplicaSums()
  sumReplicas(sums, component, scenario, replicas, requests)
  return { component, replicas, requests, sums }
}

const rounded = (low: number, expected: number, high: number, digits = 6): Range => ({ low: round(low, digits), expected: round(expected, digits), high: round(high, digits) })

function componentEstimate ({ component, replicas, requests, sums: s }: ComponentFigures): ComponentEstimate {
  return {
    id: component.id,
    name: component.name,
    scope: component.scope,
    role: component.role,
    replicas,
    requests: {
      perReplica: { cpuCores: round(requests.cpuCores, 6), memoryGiB: round(requests.memoryGiB, 6) },
      total: { cpuCores: round(replicas * requests.cpuCores, 6), memoryGiB: round(replicas * requests.memoryGiB, 6) }
    },
    usage: { cpuCores: rounded(s.usedCpuLow, s.usedCpuExpected, s.usedCpuHigh), memoryGiB: rounded(s.usedMemoryLow, s.usedMemoryExpected, s.usedMemoryHigh) },
    basis: { cpuCores: rounded(s.basisCpuLow, s.basisCpuExpected, s.basisCpuHigh), memoryGiB: rounded(s.basisMemoryLow, s.basisMemoryExpected, s.basisMemoryHigh) },
    sources: componentSources(component)
  }
}

function latencyOf (mesh: MeshModel, scenario: Scenario): LatencyEstimate | null {
  const latency = mesh.latency
  if (latency === undefined) return null
  const hops = scenario.hopsPerRequest
  const perHop: LatencyEstimate['perHop'] = { p99Ms: roundRange(latency.p99Ms, 4) }
  const perRequest: LatencyEstimate['perRequest'] = { p99Ms: roundRange(mapRange((k) => latency.p99Ms[k] * hops), 4) }
  const sources = new Set(latency.p99Ms.sources)
  for (const key of ['p50Ms', 'p90Ms'] as const) {
    const figure = latency[key]
    if (figure === undefined) continue
    perHop[key] = roundRange(figure, 4)
    perRequest[key] = roundRange(mapRange((k) => figure[k] * hops), 4)
    figure.sources.forEach((id) => sources.add(id))
  }
  return { hopsPerRequest: hops, perHop, perRequest, sources: [...sources].sort() }
}

/** The workload alone on the scenario's nodes: what the cluster needs before any mesh. */
export function packWorkload (scenario: Scenario): PackResult {
  return pack(scenario.pools, {
    workloadPods: scenario.pods,
    pod: scenario.podRequests,
    perNode: NO_AGENTS,
    clusterPods: [],
    minNodes: nodesToday(scenario),
    podLabel: 'one application pod'
  })
}

/** Per pool, the nodes it runs today (0 where the request does not say): the packing of the workload starts there. */
export const nodesToday = (scenario: Scenario): number[] => scenario.pools.map((pool) => pool.nodes ?? 0)

/** packWorkload's packer, for many pod and node counts on one set of pools and pod shape: place(pods, [], nodesToday). Throws as packWorkload does. */
export const workloadPacker = (scenario: Scenario): Packer => packer(scenario.pools, scenario.podRequests, NO_AGENTS, 'one application pod')

/**
 * Workload and mesh together, as pack takes them: sidecars grow each pod, per-node agents shrink each node,
 * replicas take room. `requests[i]` and `clusterReplicas[i]` belong to `components[i]`.
 */
export function meshPackInput (components: readonly Component[], requests: readonly Resources[], clusterReplicas: readonly number[], scenario: Scenario, withoutMesh: readonly number[]): PackInput {
  const pod = { ...scenario.podRequests }
  const perNode = { cpuCores: 0, memoryGiB: 0, pods: 0 }
  const clusterPods: PackInput['clusterPods'] = []
  let sidecars = false
  for (let c = 0; c < components.length; c++) {
    const component = components[c] as Component
    const r = requests[c] as Resources
    if (component.scope === 'perPod') {
      sidecars = true
      pod.cpuCores += r.cpuCores
      pod.memoryGiB += r.memoryGiB
    } else if (component.scope === 'perNode') {
      perNode.cpuCores += r.cpuCores
      perNode.memoryGiB += r.memoryGiB
      perNode.pods += 1
    } else {
      const spread = component.replicas?.antiAffinity === true ? component.id : undefined
      const replicas = clusterReplicas[c] as number
      for (let i = 0; i < replicas; i++) clusterPods.push(spread === undefined ? r : { ...r, spread })
    }
  }
  return { workloadPods: scenario.pods, pod, perNode, clusterPods, minNodes: withoutMesh, podLabel: sidecars ? 'one application pod with its sidecar' : 'one application pod' }
}

/**
 * Packings already done for one mesh and node shape, to reuse when another scenario (a sensitivity variant)
 * gives pack the very same input: pack is a pure function of the node and its input.
 */
export type PackMemo = Array<{ pools: Scenario['pools'], input: PackInput, result: PackResult }>

function sameResources (a: Resources, b: Resources): boolean {
  return a.cpuCores === b.cpuCores && a.memoryGiB === b.memoryGiB
}

function samePackInput (a: PackInput, b: PackInput): boolean {
  if (a.workloadPods !== b.workloadPods || a.podLabel !== b.podLabel || a.minNodes.length !== b.minNodes.length) return false
  for (let i = 0; i < a.minNodes.length; i++) if (a.minNodes[i] !== b.minNodes[i]) return false
  if (!sameResources(a.pod, b.pod) || !sameResources(a.perNode, b.perNode) || a.perNode.pods !== b.perNode.pods) return false
  if (a.clusterPods.length !== b.clusterPods.length) return false
  for (let i = 0; i < a.clusterPods.length; i++) {
    const x = a.clusterPods[i] as PackInput['clusterPods'][number]
    const y = b.clusterPods[i] as PackInput['clusterPods'][number]
    if (!sameResources(x, y) || x.spread !== y.spread) return false
  }
  return true
}

function packMemoised (scenario: Scenario, input: PackInput, memo: PackMemo | undefined): PackResult {
  if (memo === undefined) return pack(scenario.pools, input)
  for (const done of memo) if (done.pools === scenario.pools && samePackInput(done.input, input)) return done.result
  const result = pack(scenario.pools, input)
  memo.push({ pools: scenario.pools, input, result })
  return result
}

function capacityOf (scenario: Scenario, withoutMesh: PackResult, withMesh: PackResult): Capacity {
  const node = allocatable(scenario.node)
  const system = scenario.node.systemPods
  return {
    nodeType: scenario.node.id,
    maxPodsPerNode: scenario.node.maxPods,
    kubeletMemoryPerNodeGiB: round(scenario.node.kubeletMemoryGiB, 6),
    allocatablePerNode: { cpuCores: round(node.cpuCores, 6), memoryGiB: round(node.memoryGiB, 6) },
    systemPodsPerNode: { pods: system.pods, cpuCores: round(system.cpuCores, 6), memoryGiB: round(system.memoryGiB, 6) },
    nodesWithoutMesh: withoutMesh.nodes,
    nodesWithMesh: withMesh.nodes,
    additionalNodes: withMesh.nodes - withoutMesh.nodes,
    bindingResource: withMesh.binding,
    podsPerNodeWithoutMesh: withoutMesh.podsPerNode,
    podsPerNodeWithMesh: withMesh.podsPerNode,
    ...(scenario.nodePools ? { pools: poolsOf(scenario, withoutMesh, withMesh) } : {})
  }
}

/** capacity.pools: each pool's node counts and node cost, with and without the mesh. */
function poolsOf (scenario: Scenario, withoutMesh: PackResult, withMesh: PackResult): NonNullable<Capacity['pools']> {
  return scenario.pools.map((pool, i) => {
    const without = withoutMesh.pools[i] as PoolPacking
    const withIt = withMesh.pools[i] as PoolPacking
    const capacity = allocatable(pool.node)
    const monthly = (nodes: number) => pool.node.hourlyPrice === null ? null : round(nodes * pool.node.hourlyPrice * HOURS_PER_MONTH, 2)
    return {
      name: pool.name,
      chargesOverhead: i === scenario.pricingPool,
      nodeType: pool.node.id,
      pricingModel: pool.pricingModel,
      hourlyPrice: pool.node.hourlyPrice,
      maxPodsPerNode: pool.node.maxPods,
      allocatablePerNode: { cpuCores: round(capacity.cpuCores, 6), memoryGiB: round(capacity.memoryGiB, 6) },
      nodesWithoutMesh: without.nodes,
      nodesWithMesh: withIt.nodes,
      additionalNodes: withIt.nodes - without.nodes,
      podsPerNodeWithoutMesh: without.podsPerNode,
      podsPerNodeWithMesh: withIt.podsPerNode,
      bindingResource: withIt.binding,
      nodesMonthlyWithoutMesh: monthly(without.nodes),
      nodesMonthlyWithMesh: monthly(withIt.nodes),
      additionalNodesMonthly: monthly(withIt.nodes - without.nodes)
    }
  })
}

// Which components a scenario includes depends only on its observability and CNI: filtered once per mesh and
// combination. The key also names the mesh's source list, which depends on nothing else.
const includedSets = new WeakMap<MeshModel, Map<string, { key: string, components: Component[] }>>()

export function includedComponents (mesh: MeshModel, scenario: Scenario): { key: string, components: Component[] } {
  const sets = cacheOf(includedSets, mesh)
  const key = `${scenario.observability ? 'o' : '-'}${scenario.cni}`
  let set = sets.get(key)
  if (set === undefined) {
    set = { key, components: Object.freeze(mesh.components.filter((c) => included(c, scenario))) as Component[] }
    sets.set(key, set)
  }
  return set
}

// Source documents depend on the model alone: built once per mesh and source, frozen, shared by every answer.
const sourceDocuments = new WeakMap<MeshModel, Map<string, SourceOut | null>>()
// A mesh estimate's source list depends only on which of its components the scenario includes (and the
// model's latency figures, fixed per mesh): a handful of combinations per mesh, each built once.
const sourceLists = new WeakMap<MeshModel, Map<string, SourceOut[]>>()

function meshSources (mesh: MeshModel, included: { key: string, components: Component[] }, latency: LatencyEstimate | null): SourceOut[] {
  const lists = cacheOf(sourceLists, mesh)
  let list = lists.get(included.key)
  if (list === undefined) {
    list = Object.freeze(sourcesOf(mesh, [...included.components.flatMap(componentSources), ...(latency?.sources ?? [])])) as SourceOut[]
    lists.set(included.key, list)
  }
  return list
}

function sourcesOf (mesh: MeshModel, ids: Iterable<string>): SourceOut[] {
  const documents = cacheOf(sourceDocuments, mesh)
  const out: SourceOut[] = []
  for (const id of [...new Set(ids)].sort()) {
    let document = documents.get(id)
    if (document === undefined) {
      const source = mesh.sources[id]
      // Citation only: the conditions and reasoning behind each source are one GET /meshes/{id} away, and
      // repeating them in every estimate tripled its size (63 KiB for the default scenario, 70% of it sources).
      document = source === undefined
        ? null
        : Object.freeze({ id, title: source.title, kind: source.kind, ...(source.url === undefined ? {} : { url: source.url }), ...(source.version === undefined ? {} : { version: source.version }) })
      documents.set(id, document)
    }
    if (document !== null) out.push(document)
  }
  return out
}

/** One mesh's figures, computed once: the full answer (estimateMesh) and the totals (meshTotals) are both read off it. */
export interface MeshCore {
  included: { key: string, components: Component[] }
  withMesh: PackResult
  figures: ComponentFigures[]
  /** the totals on the scenario's basis as published, and their cost (totals.ts) */
  published: PublishedTotals
}

/**
 * What a scenario that varies another (a sensitivity variant) can take from it instead of recomputing.
 * `packMemo`: packings of the same mesh and node shape (see PackMemo). `base` and `unchanged`: the mesh's core
 * for the scenario varied, and per included component whether it reads none of the fields the variant changes
 * (through its requests, replicas or usage drivers); such a component keeps base's figures, unless it runs per
 * node and the node count moved.
 */
export interface CoreReuse {
  packMemo: PackMemo
  base?: MeshCore
  unchanged?: readonly boolean[]
}

export function meshCore (mesh: MeshModel, scenario: Scenario, workload: PackResult, reuse?: CoreReuse): MeshCore {
  const included = includedComponents(mesh, scenario)
  const components = included.components
  const base = reuse?.base?.included === included ? reuse.base : undefined
  const unchanged = base === undefined ? undefined : reuse?.unchanged
  // Each component's requests and cluster replica count, computed once and used by packing and figures alike.
  const requests = components.map((c, i) => (unchanged?.[i] === true ? base?.figures[i]?.requests : undefined) ?? requestsOf(c, scenario))
  const clusterReplicas = components.map((c, i) => {
    if (c.scope !== 'cluster') return 0
    return (unchanged?.[i] === true ? base?.figures[i]?.replicas : undefined) ?? autoscaledReplicas(c, scenario, requests[i] as Resources)
  })
  const withMesh = packMemoised(scenario, meshPackInput(components, requests, clusterReplicas, scenario, workload.pools.map((p) => p.nodes)), reuse?.packMemo)
  const figures: ComponentFigures[] = []
  const totals = new BasisTotals()
  for (let c = 0; c < components.length; c++) {
    const component = components[c] as Component
    const replicas = replicasOf(component.scope, scenario.pods, withMesh.nodes, clusterReplicas[c] as number)
    const kept = unchanged?.[c] === true ? base?.figures[c] : undefined
    const f = kept !== undefined && kept.replicas === replicas ? kept : componentFigures(component, scenario, replicas, requests[c] as Resources)
    figures.push(f)
    totals.add(f.sums)
  }
  const published = emptyPublished()
  totals.publish(scenario.prices, published)
  return { included, withMesh, figures, published }
}

/**
 * What the nodes the mesh adds cost a month: each pool's added nodes at its node price, summed; null when a
 * pool has no price. `withoutMesh` and `withMesh`: nodes per pool.
 */
export function additionalNodesMonthlyOf (scenario: Scenario, withoutMesh: ArrayLike<number>, withMesh: ArrayLike<number>): number | null {
  let hourly = 0
  for (let i = 0; i < scenario.pools.length; i++) {
    const price = (scenario.pools[i] as Scenario['pools'][number]).node.hourlyPrice
    if (price === null) return null
    hourly += ((withMesh[i] as number) - (withoutMesh[i] as number)) * price
  }
  return round(hourly * HOURS_PER_MONTH, 2)
}
const nodesOf = (packed: PackResult): number[] => packed.pools.map((p) => p.nodes)

/** The mesh's pods: sidecars (one per meshed pod) and the rest (per-node agents, control plane, gateways). */
function podsOf (core: MeshCore): { sidecars: number, extraPods: number } {
  let sidecars = 0
  let extraPods = 0
  for (const f of core.figures) {
    if (f.component.scope === 'perPod') sidecars += f.replicas
    else extraPods += f.replicas
  }
  return { sidecars, extraPods }
}

/** The figures of one mesh that sweeps, summaries and sensitivity need: totals, nodes and monthly cost. */
export interface MeshTotals {
  cpuCores: Range
  memoryGiB: Range
  sidecars: number
  extraPods: number
  nodesWithoutMesh: number
  nodesWithMesh: number
  additionalNodes: number
  monthly: Range
  additionalNodesMonthly: number | null
}

/**
 * The totals-only path: the same figures estimateMesh publishes in totals, capacity and cost.monthly, from the
 * same computation (meshCore), without building components, sources, latency or the capacity detail.
 */
export function meshTotals (mesh: MeshModel, scenario: Scenario, workload: PackResult, reuse?: CoreReuse): MeshTotals {
  const core = meshCore(mesh, scenario, workload, reuse)
  const p = core.published
  const additionalNodes = core.withMesh.nodes - workload.nodes
  return {
    cpuCores: { low: p.cpuLow, expected: p.cpuExpected, high: p.cpuHigh },
    memoryGiB: { low: p.memoryLow, expected: p.memoryExpected, high: p.memoryHigh },
    ...podsOf(core),
    nodesWithoutMesh: workload.nodes,
    nodesWithMesh: core.withMesh.nodes,
    additionalNodes,
    monthly: { low: p.monthlyLow, expected: p.monthlyExpected, high: p.monthlyHigh },
    additionalNodesMonthly: additionalNodesMonthlyOf(scenario, nodesOf(workload), nodesOf(core.withMesh))
  }
}

/** The scaling drivers of the components a scenario includes: an input no driver reads cannot move the mesh's usage. */
export function meshDrivers (mesh: MeshModel, scenario: Scenario): ReadonlySet<ScalingDriver> {
  return memoized(driverSets, includedComponents(mesh, scenario), driversOfSet)
}
const driversOfSet = (set: { components: Component[] }): ReadonlySet<ScalingDriver> => new Set(set.components.flatMap((c) => driversOf(c.usage)))

// The drivers of a set of included components depend on the model alone: collected once per set.
const driverSets = new WeakMap<{ components: Component[] }, ReadonlySet<ScalingDriver>>()

/** Whether any included component runs per waypoint: scenario.waypoints is read nowhere else. */
export function meshHasWaypoints (mesh: MeshModel, scenario: Scenario): boolean {
  return includedComponents(mesh, scenario).components.some((c) => c.replicas?.perWaypoint === true)
}

/** One mesh's estimate; `workload` is packWorkload(scenario), passed in when several meshes share it. */
export function estimateMesh (mesh: MeshModel, scenario: Scenario, workload: PackResult = packWorkload(scenario)): MeshEstimate {
  return estimateOfCore(mesh, scenario, workload, meshCore(mesh, scenario, workload))
}

function estimateOfCore (mesh: MeshModel, scenario: Scenario, workload: PackResult, core: MeshCore): MeshEstimate {
  const figures = summaryOfCore(mesh, scenario, workload, core)
  const latency = latencyOf(mesh, scenario)
  return {
    mesh: figures.mesh,
    name: figures.name,
    mode: figures.mode,
    version: figures.version,
    totals: figures.totals,
    components: core.figures.map(componentEstimate),
    capacity: figures.capacity,
    latency,
    cost: figures.cost,
    sources: meshSources(mesh, core.included, latency)
  }
}

/** What view=summary shows of one mesh: estimateMesh's figures (totals, capacity, cost), without components, latency and sources. */
function summaryOfCore (mesh: MeshModel, scenario: Scenario, workload: PackResult, core: MeshCore): MeshSummary {
  const capacity = capacityOf(scenario, workload, core.withMesh)
  const p = core.published
  return {
    mesh: mesh.id,
    name: mesh.name,
    mode: mesh.mode,
    version: mesh.version,
    totals: { cpuCores: { low: p.cpuLow, expected: p.cpuExpected, high: p.cpuHigh }, memoryGiB: { low: p.memoryLow, expected: p.memoryExpected, high: p.memoryHigh }, ...podsOf(core) },
    capacity,
    cost: {
      currency: scenario.prices.currency,
      hourly: rounded(p.hourlyLow, p.hourlyExpected, p.hourlyHigh),
      monthly: { low: p.monthlyLow, expected: p.monthlyExpected, high: p.monthlyHigh },
      yearly: rounded(HOURS_PER_YEAR * p.hourlyLow, HOURS_PER_YEAR * p.hourlyExpected, HOURS_PER_YEAR * p.hourlyHigh, 2),
      additionalNodesMonthly: additionalNodesMonthlyOf(scenario, nodesOf(workload), nodesOf(core.withMesh))
    }
  }
}

/** The rules every estimate follows; assumptions.notes lists them before the scenario's own warnings. */
export const GENERAL_NOTES = [
  'Capacity packs workload pods and mesh replicas by their requests, as the scheduler and the cluster autoscaler do; usage does not add nodes.',
  'The provider\'s own per-node pods (kube-proxy, the CNI agent, CSI and logging agents; see capacity.systemPodsPerNode) take pod slots and requests on every node, with or without the mesh; they are no part of the mesh\'s overhead or cost. Nodes hold the memory the kubelet reports, below their nominal size.'
] as const

/** The scenario a request describes, and its workload packed without a mesh. */
function scenarioOf (request: EstimateRequest, models: Models): { scenario: Scenario, workload: PackResult } {
  const scenario = resolveScenario(request, models)
  const workload = packWorkload(scenario)
  scenario.pools.forEach((pool, i) => {
    const packed = (workload.pools[i] as PoolPacking).nodes
    if (pool.nodes === null || pool.nodes >= packed) return
    scenario.notes.push(scenario.pools.length === 1
      ? `cluster.nodes is ${pool.nodes}, but the workload's requests need ${packed} ${pool.node.id} nodes; estimates assume ${packed}.`
      : `Node pool "${pool.name}" runs ${pool.nodes} nodes (count), but the workload's requests need ${packed} there (the cluster autoscaler's least-waste choice); estimates assume ${packed}.`)
  })
  return { scenario, workload }
}

/**
 * Every mesh's estimate (with its delta to a baseline, when asked), and the scenario they were computed for.
 * `cores`: per mesh id, the core its estimate was built from and the packing it did, for sensitivityOf to vary
 * instead of computing them again.
 */
export function estimateMeshes (request: EstimateRequest, models: Models): { scenario: Scenario, workload: PackResult, estimates: MeshEstimate[], cores: Map<string, CoreReuse> } {
  const { scenario, workload } = scenarioOf(request, models)
  const cores = new Map<string, CoreReuse>()
  const estimates = scenario.meshes.map((mesh) => {
    const packMemo: PackMemo = []
    const core = meshCore(mesh, scenario, workload, { packMemo })
    cores.set(mesh.id, { packMemo, base: core })
    return estimateOfCore(mesh, scenario, workload, core)
  })
  return { scenario, workload, estimates: withBaseline(request.baseline, estimates, models, (mesh) => estimateMesh(mesh, scenario, workload)), cores }
}

/** Every mesh's figures as estimateMeshes gives them, without components, latency and sources (view=summary). */
export function summarizeMeshes (request: EstimateRequest, models: Models): { scenario: Scenario, estimates: MeshSummary[] } {
  const { scenario, workload } = scenarioOf(request, models)
  const summaryOf = (mesh: MeshModel): MeshSummary => summaryOfCore(mesh, scenario, workload, meshCore(mesh, scenario, workload))
  return { scenario, estimates: withBaseline(request.baseline, scenario.meshes.map(summaryOf), models, summaryOf) }
}
