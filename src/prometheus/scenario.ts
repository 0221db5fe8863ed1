// The cluster view -> the ordinary POST /estimate body, and the measured usage of a running mesh beside the
// model's figures for that same scenario.
import { DomainError } from '../errors.js'
import type { Models } from '../models/load.js'
import type { ClusterEstimateRequest, ClusterResponse } from '../schemas/cluster.js'
import { LIMITS, type EstimateRequest, type EstimateResponse } from '../schemas/estimate.js'
import { DEFAULT_WINDOW } from './queries.js'
import { round } from '../units.js'

/**
 * The scenario of the pods that would get the mesh: their count, their typical (mean) requests, the most
 * numerous node type, OpenCost's unit prices and the measured traffic per proxy. Every figure Prometheus lacks
 * is left out, so the engine applies its documented default and lists it in assumptions.defaultsApplied.
 */
export function clusterScenario (view: ClusterResponse, pods: number, clusterPods: number, body: ClusterEstimateRequest, models: Models): EstimateRequest {
  if (pods < 1) {
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
  if (perProxy !== null && perProxy !== undefined) scenario.traffic = { requestsPerSecondPerPod: Math.min(perProxy, LIMITS.requestsPerSecondPerPod) }

  const workload: NonNullable<EstimateRequest['workload']> = { clusterPods: Math.max(clusterPods, scenario.pods) }
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
  if (view.nodes.total > 0) cluster.nodes = Math.min(view.nodes.total, LIMITS.nodes)
  const main = view.nodes.byType[0]
  if (main !== undefined) {
    const known = main.nodeType === null ? undefined : models.nodeTypes.get(main.nodeType)
    if (known !== undefined) {
      cluster.nodeType = known.nodeType.id
      if (main.region !== null && known.nodeType.prices.some((p) => p.region === main.region)) cluster.region = main.region
    } else if (main.capacity.cpuCores !== null && main.capacity.memoryGiB !== null && main.capacity.pods !== null && main.capacity.cpuCores > 0 && main.capacity.memoryGiB > 0 && main.capacity.pods >= 1) {
      cluster.node = {
        vcpu: Math.min(main.capacity.cpuCores, LIMITS.nodeVcpu),
        memoryGiB: Math.min(round(main.capacity.memoryGiB), LIMITS.nodeMemoryGiB),
        maxPods: Math.min(Math.round(main.capacity.pods), LIMITS.maxPods),
        ...(main.hourlyPrice !== null && main.hourlyPrice > 0 ? { hourlyPrice: round(main.hourlyPrice) } : {})
      }
    }
  }
  if (Object.keys(cluster).length > 0) scenario.cluster = cluster

  if (view.prices !== null) {
    scenario.pricing = { currency: view.prices.currency, cpuCoreHour: view.prices.cpuCoreHour, memoryGiBHour: view.prices.memoryGiBHour }
  }
  return scenario
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
