// The cluster view -> the ordinary POST /estimate body, and the measured usage of a running mesh beside the
// model's figures for that same scenario.
import { DomainError, type FieldError } from '../errors.js'
import { pricedModels } from '../engine/pricing.js'
import { estimate } from '../engine/answer.js'
import type { Models } from '../models/load.js'
import type { ClusterEstimateRequest, ClusterEstimateResponse, ClusterResponse, Missing } from '../schemas/cluster.js'
import { LIMITS, type EstimateRequest, type EstimateResponse, type NodePool } from '../schemas/estimate.js'
import { PrometheusError } from './client.js'
import type { ClusterRead } from './cluster.js'
import { DEFAULT_WINDOW } from './queries.js'
import { round } from '../units.js'

/** A 502: Prometheus answered a figure the estimate cannot do without, but only values dropped as implausible. */
function unusable (read: ClusterRead, entries: Missing[], needed: string): PrometheusError {
  const metrics = [...new Set(entries.map((e) => e.metric))].join(', ')
  return new PrometheusError(502, read.upstream, `answered no usable ${metrics}, which ${needed}: ${entries.map((e) => e.reason ?? e.metric).join('; ')}`)
}

/**
 * The scenario of the pods that would get the mesh: their count, their typical (mean) requests, the most
 * numerous node type, OpenCost's unit prices and the measured traffic per proxy. Every figure Prometheus lacks
 * is left out, so the engine applies its documented default and lists it in assumptions.defaultsApplied; so is
 * every figure whose values were dropped as implausible, unless the scenario cannot do without it: then a
 * PrometheusError (502) names the metric and why.
 */
export function clusterScenario (read: ClusterRead, body: ClusterEstimateRequest, models: Models): EstimateRequest {
  const { view } = read
  const pods = read.podsIn(body.namespaces)
  if (pods < 1) {
    const dropped = read.podsDroppedIn(body.namespaces)
    if (dropped !== undefined) throw unusable(read, [dropped], 'counts the pods to mesh')
    const where = body.namespaces === undefined ? 'outside the system namespaces' : `in ${body.namespaces.join(', ')}`
    throw new DomainError([{ pointer: '/namespaces', detail: `Prometheus reports no running pods ${where} (kube_pod_status_phase)` }])
  }
  const scenario: EstimateRequest = { pods: Math.min(pods, LIMITS.pods) }
  if (body.meshes !== undefined) scenario.meshes = body.meshes
  if (body.basis !== undefined) scenario.basis = body.basis
  // What runs today is the baseline each mesh is compared with (Cilium counts as the CNI, see below).
  const running = view.mesh.detected.find((id) => id !== 'cilium' && models.meshes.has(id))
  if (running !== undefined) scenario.baseline = running

  const perProxy = view.traffic?.requestsPerSecondPerProxy
  if (perProxy !== null && perProxy !== undefined) {
    scenario.traffic = { requestsPerSecondPerPod: Math.min(perProxy, LIMITS.requestsPerSecondPerPod) }
  } else if (view.traffic !== null && view.traffic !== undefined && view.traffic.requestsPerSecond > 0) {
    // No proxy in each pod (Cilium's runs per node): the requests measured, over the pods to mesh (the engine's
    // requestsPerSecond). Hubble counts only the pods with L7 visibility, so this is what was seen, at least.
    scenario.traffic = { requestsPerSecond: Math.min(view.traffic.requestsPerSecond, LIMITS.requestsPerSecondPerPod * scenario.pods) }
  }

  const workload: NonNullable<EstimateRequest['workload']> = { clusterPods: Math.min(Math.max(read.clusterPods, scenario.pods), LIMITS.pods * 10) }
  const requests = view.pods.requests
  // The mean, not the median: capacity adds requests up over all pods, and pods x mean is their sum.
  if (requests !== null && requests.cpuCores.mean > 0 && requests.memoryGiB.mean > 0) {
    workload.podRequests = {
      cpuCores: Math.min(round(requests.cpuCores.mean), LIMITS.podCpuCores),
      memoryGiB: Math.min(round(requests.memoryGiB.mean), LIMITS.podMemoryGiB)
    }
  }
  scenario.workload = workload

  const cluster: NonNullable<EstimateRequest['cluster']> = {}
  if (view.mesh.detected.includes('cilium')) cluster.cni = 'cilium'
  const [main] = view.nodes.byType
  if (view.nodes.byType.length > 1) {
    // Several pools: each as it runs (node type or shape, node count, Spot or On-Demand); the pools whose node
    // shape is unknown are left out, and the estimate needs at least one.
    const pools = view.nodes.byType.flatMap((row) => {
      const pool = poolOf(row, models)
      return pool === undefined ? [] : [pool]
    })
    if (pools.length === 0) throw unusable(read, read.mainCapacityDropped, 'shapes the nodes of every pool')
    cluster.nodePools = pools.slice(0, LIMITS.nodePools)
  } else if (main !== undefined) {
    if (view.nodes.total > 0) cluster.nodes = Math.min(view.nodes.total, LIMITS.nodes)
    const pool = poolOf(main, models)
    if (pool?.nodeType !== undefined) {
      cluster.nodeType = pool.nodeType
      if (pool.region !== undefined) cluster.region = pool.region
    } else if (pool?.node !== undefined) {
      cluster.node = pool.node
    } else if (read.mainCapacityDropped.length > 0) {
      // Without the shape of its nodes the estimate would price the default node type instead: not this cluster.
      throw unusable(read, read.mainCapacityDropped, `shapes the cluster's most numerous node type (${main.instanceType ?? 'no instance type'}, not in GET /node-types)`)
    }
  }
  if (Object.keys(cluster).length > 0) scenario.cluster = cluster

  if (view.prices !== null) {
    scenario.pricing = { currency: view.prices.currency, cpuCoreHour: view.prices.cpuCoreHour, memoryGiBHour: view.prices.memoryGiBHour }
  }
  return scenario
}

type PoolRow = ClusterResponse['nodes']['byType'][number]

/** A pool's name in the answer, from what Prometheus says of its nodes: "aws/m5.xlarge (onDemand, amd64)". */
export function poolName (row: PoolRow): string {
  const facts = [row.capacityType, row.arch].filter((f): f is string => f !== null)
  return `${row.nodeType ?? row.instanceType ?? 'custom'}${facts.length === 0 ? '' : ` (${facts.join(', ')})`}`.slice(0, 63)
}

/**
 * One pool of the cluster as POST /estimate takes it: its node type (priced in its region when the node catalog
 * has the region), or its measured shape when the instance type is not in GET /node-types; undefined when
 * neither is known. A Spot pool of a known type is priced at OpenCost's price for its nodes, as a discount off the
 * catalog's on-demand price; without that price, at the catalog's Spot price where it has one, else On-Demand.
 */
function poolOf (row: PoolRow, models: Models): NodePool | undefined {
  const known = row.nodeType === null ? undefined : models.nodeTypes.get(row.nodeType)
  const base = { name: poolName(row), count: Math.min(row.count, LIMITS.nodes) }
  if (known !== undefined) {
    const price = row.region === null ? undefined : known.nodeType.prices.find((p) => p.region === row.region)
    const pool: NodePool = { ...base, nodeType: known.nodeType.id, ...(price === undefined ? {} : { region: price.region }) }
    if (row.capacityType !== 'spot') return pool
    const entry = price ?? known.nodeType.prices[0]
    if (entry !== undefined && row.hourlyPrice !== null && row.hourlyPrice > 0 && row.hourlyPrice < entry.hourly) {
      return { ...pool, pricing: { model: 'spot', discountPercent: round(100 * (1 - row.hourlyPrice / entry.hourly), 4) } }
    }
    return entry !== undefined && pricedModels(entry).includes('spot') ? { ...pool, pricing: { model: 'spot' } } : pool
  }
  const { cpuCores, memoryGiB, pods } = row.capacity
  if (cpuCores === null || memoryGiB === null || pods === null || cpuCores <= 0 || memoryGiB <= 0 || pods < 1) return undefined
  return {
    ...base,
    node: {
      vcpu: Math.min(cpuCores, LIMITS.nodeVcpu),
      memoryGiB: Math.min(round(memoryGiB), LIMITS.nodeMemoryGiB),
      maxPods: Math.min(Math.round(pods), LIMITS.maxPods),
      ...(row.hourlyPrice !== null && row.hourlyPrice > 0 ? { hourlyPrice: Math.min(round(row.hourlyPrice), LIMITS.price) } : {})
    }
  }
}

/** Fields of POST /cluster/estimate that the client gave; every other field of the scenario comes from Prometheus. */
const OWN = /^\/(namespaces|meshes|basis|window)(\/|$)/

/** The metric behind each field of the scenario, for a 502 that names it. */
const SOURCES: Array<[RegExp, string]> = [
  [/^\/pods(\/|$)|^\/workload\/clusterPods/, 'kube_pod_status_phase'],
  [/^\/workload\/podRequests/, 'kube_pod_container_resource_requests'],
  [/^\/cluster\/nodes(\/|$)/, 'kube_node_info'],
  [/^\/cluster\/nodePools/, 'kube_node_labels, kube_node_status_capacity, node_total_hourly_cost'],
  [/^\/cluster\/node(\/|$)/, 'kube_node_status_capacity'],
  [/^\/cluster\/(nodeType|region|networkMode)/, 'kube_node_labels'],
  [/^\/cluster\/cni|^\/baseline/, 'kube_pod_container_info'],
  [/^\/pricing/, 'node_cpu_hourly_cost, node_ram_hourly_cost'],
  [/^\/traffic/, 'istio_requests_total, request_total, hubble_http_requests_total, envoy_http_downstream_rq_total']
]

/**
 * A DomainError of the estimate of a derived scenario. The client's own fields keep their pointers (a 422);
 * the rest point under /scenario. When every error is in a field derived from the cluster, the client did
 * nothing wrong: a 502 names the metric the field came from.
 */
export function scenarioError (err: DomainError, read: ClusterRead): DomainError | PrometheusError {
  if (err.errors.some((e) => OWN.test(e.pointer)) || err.errors.length === 0) {
    return err.mapErrors((e) => ({ pointer: OWN.test(e.pointer) ? e.pointer : `/scenario${e.pointer}`, detail: e.detail }))
  }
  const named = (e: FieldError) => `/scenario${e.pointer} (${SOURCES.find(([field]) => field.test(e.pointer))?.[1] ?? 'the cluster'}): ${e.detail}`
  return new PrometheusError(502, read.upstream, `describes a cluster the estimate cannot price as read: ${err.errors.map(named).join('; ')}`)
}

/** POST /cluster/estimate on a cluster read: the estimate, its scenario, measured usage and what is missing. */
export function clusterEstimate (read: ClusterRead, body: ClusterEstimateRequest, models: Models): ClusterEstimateResponse {
  const scenario = clusterScenario(read, body, models)
  let estimated: EstimateResponse
  try {
    estimated = estimate(scenario, models)
  } catch (err) {
    throw err instanceof DomainError ? scenarioError(err, read) : err
  }
  return { ...estimated, scenario, measured: measuredBeside(read.view, estimated), missing: read.view.missing }
}

const ratio = (a: number, b: number): number | null => (b > 0 ? round(a / b, 3) : null)

/** For each estimated mesh that runs: measured per replica beside the model's expected usage per replica. */
export function measuredBeside (view: ClusterResponse, result: EstimateResponse) {
  return result.estimates.filter((e) => view.mesh.detected.includes(e.mesh)).map((e) => ({
    mesh: e.mesh,
    window: view.window ?? DEFAULT_WINDOW,
    components: e.components.flatMap((c) => {
      const m = view.mesh.components.find((x) => x.mesh === e.mesh && x.component === c.id)
      if (m === undefined || m.replicas === 0 || c.replicas === 0 || m.cpuCores === null || m.memoryGiB === null) return []
      const measuredCpu = m.cpuCores / m.replicas
      const measuredMemory = m.memoryGiB / m.replicas
      const modelledCpu = c.usage.cpuCores.expected / c.replicas
      const modelledMemory = c.usage.memoryGiB.expected / c.replicas
      return [{
        component: c.id,
        measured: { replicas: m.replicas, cpuCoresPerReplica: round(measuredCpu), memoryGiBPerReplica: round(measuredMemory) },
        modelled: { replicas: c.replicas, cpuCoresPerReplica: round(modelledCpu), memoryGiBPerReplica: round(modelledMemory) },
        factor: { cpuCores: ratio(measuredCpu, modelledCpu), memoryGiB: ratio(measuredMemory, modelledMemory) }
      }]
    })
  }))
}
