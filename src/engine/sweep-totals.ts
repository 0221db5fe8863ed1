// The incremental sweep: one mesh's totals at each x, with everything that no swept field feeds computed once.
// A swept field (pods, the request rate, services, nodes) feeds the replicas, the usage drivers and the node
// counts; it never feeds which components are installed, their requests, the pod and node shapes the packing
// divides, the prices or the basis. So per sweep: the included components, their requests and parsed usage, the
// packer of the workload with the mesh (capacity.ts), and the replica list when no replica autoscales; per x: the
// placement (arithmetic, plus the few replicas), and one allocation-free pass over the components.
// The arithmetic is meshCore's (estimate.ts), operation for operation, so that every figure is the same double:
// test/engine/sweep-totals.test.ts holds the two paths equal over a grid of sweeps.
import type { Component, MeshModel } from '../models/schema.js'
import { byCpuDescending, packer, type PackInput, type Packer, type Resources } from './capacity.js'
import { additionalNodesMonthlyOf, autoscaledReplicas, baseReplicas, driverValue, includedComponents, meshPods, requestsOf } from './estimate.js'
import type { Scenario } from './scenario.js'
import { numeric, type NumericUsage } from './usage.js'
import { HOURS_PER_MONTH, round } from '../units.js'

/** One mesh's figures at one x: what a sweep point publishes, rounded as estimateMesh rounds them. */
export interface PointTotals {
  cpuLow: number
  cpuExpected: number
  cpuHigh: number
  memoryLow: number
  memoryExpected: number
  memoryHigh: number
  monthlyLow: number
  monthlyExpected: number
  monthlyHigh: number
  additionalNodes: number
  additionalNodesMonthly: number | null
  nodesWithMesh: number
}

interface Part {
  component: Component
  scope: Component['scope']
  requests: Resources
  usage: NumericUsage
  /** a cluster-scoped component's replicas when no swept field moves them (no autoscaling); -1 otherwise */
  fixedReplicas: number
}

export interface MeshSweep {
  /** One mesh's totals at the scenario `at` (the sweep's scenario at one x) on `workloadNodes` nodes without the mesh, into `out`. */
  totals: (at: Scenario, workloadNodes: number, out: PointTotals) => void
}

export const emptyTotals = (): PointTotals => ({ cpuLow: 0, cpuExpected: 0, cpuHigh: 0, memoryLow: 0, memoryExpected: 0, memoryHigh: 0, monthlyLow: 0, monthlyExpected: 0, monthlyHigh: 0, additionalNodes: 0, additionalNodesMonthly: null, nodesWithMesh: 0 })

/**
 * Compiles one mesh for a sweep of `scenario` (the sweep's scenario at any x). Throws the DomainError the
 * packing throws at every x when the mesh leaves no room on a node or its pod fits none.
 */
export function meshSweep (mesh: MeshModel, scenario: Scenario): MeshSweep {
  const components = includedComponents(mesh, scenario).components
  const parts: Part[] = components.map((component) => ({
    component,
    scope: component.scope,
    requests: requestsOf(component, scenario),
    usage: numeric(component.usage),
    fixedReplicas: component.scope === 'cluster' && component.replicas?.autoscaling === undefined ? autoscaledReplicas(component, scenario) : -1
  }))
  const shapes = meshPods(components, scenario)
  const withMesh: Packer = packer(scenario.node, shapes.pod, shapes.perNode, shapes.podLabel)
  const autoscaled = parts.filter((p) => p.fixedReplicas < 0 && p.scope === 'cluster')
  // The replicas to place, sorted: rebuilt only when an autoscaled count moves (a few times over a sweep).
  let clusterPods: PackInput['clusterPods'] = byCpuDescending(shapes.clusterPods)
  let placements = new Map<number, number>()
  const placedCounts = autoscaled.map(() => -1)
  const replicas = new Float64Array(parts.length)
  const { basis } = scenario
  const { cpuCoreHour, memoryGiBHour } = scenario.prices

  function totals (at: Scenario, workloadNodes: number, out: PointTotals): void {
    let moved = false
    for (let i = 0, a = 0; i < parts.length; i++) {
      const p = parts[i] as Part
      if (p.scope === 'perPod') replicas[i] = at.pods
      else if (p.scope === 'perNode') replicas[i] = 0 // the nodes with the mesh, once placed
      else if (p.fixedReplicas >= 0) replicas[i] = p.fixedReplicas
      else {
        const r = hpaReplicas(p, at)
        replicas[i] = r
        if (placedCounts[a] !== r) moved = true
        placedCounts[a++] = r
      }
    }
    if (moved) {
      const pods: PackInput['clusterPods'] = []
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i] as Part
        if (p.scope !== 'cluster') continue
        const spread = p.component.replicas?.antiAffinity === true ? p.component.id : undefined
        for (let k = 0; k < (replicas[i] as number); k++) pods.push(spread === undefined ? p.requests : { ...p.requests, spread })
      }
      clusterPods = byCpuDescending(pods)
      placements = new Map()
    }
    const nodesWithMesh = placed(withMesh, at.pods, clusterPods, workloadNodes, placements)

    // meshCore: the components' figures on the basis, summed in order from zero (addRanges over ZERO_RANGE).
    let cpuLow = 0; let cpuExpected = 0; let cpuHigh = 0
    let memoryLow = 0; let memoryExpected = 0; let memoryHigh = 0
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as Part
      const n = p.scope === 'perNode' ? nodesWithMesh : replicas[i] as number
      // replicaTotals: each traffic group's replicas times one replica's figure, summed from zero.
      let bCpuLow = 0; let bCpuExpected = 0; let bCpuHigh = 0
      let bMemoryLow = 0; let bMemoryExpected = 0; let bMemoryHigh = 0
      const groups = p.scope === 'perPod' ? at.trafficGroups : undefined
      const groupCount = groups === undefined ? 1 : groups.length
      for (let g = 0; g < groupCount; g++) {
        const share = groups === undefined ? 1 : (groups[g] as Scenario['trafficGroups'][number]).podShare
        const rate = groups === undefined ? at.requestsPerSecondPerPod : (groups[g] as Scenario['trafficGroups'][number]).requestsPerSecondPerPod
        const count = n * share
        // usageWith: the base plus each scaling term times its driver.
        const u = p.usage
        let uCpuLow = u.cpu.low; let uCpuExpected = u.cpu.expected; let uCpuHigh = u.cpu.high
        let uMemoryLow = u.memory.low; let uMemoryExpected = u.memory.expected; let uMemoryHigh = u.memory.high
        for (const term of u.terms) {
          const x = driverValue(term.per, p.component, at, n, rate)
          const { cpu, memory } = term
          if (cpu !== null) { uCpuLow += cpu.low * x; uCpuExpected += cpu.expected * x; uCpuHigh += cpu.high * x }
          if (memory !== null) { uMemoryLow += memory.low * x; uMemoryExpected += memory.expected * x; uMemoryHigh += memory.high * x }
        }
        // onBasisOf: the request, the usage, or the larger of the two, per bound.
        const rc = p.requests.cpuCores
        const rm = p.requests.memoryGiB
        if (basis === 'requests') {
          bCpuLow += count * rc; bCpuExpected += count * rc; bCpuHigh += count * rc
          bMemoryLow += count * rm; bMemoryExpected += count * rm; bMemoryHigh += count * rm
        } else if (basis === 'usage') {
          bCpuLow += count * uCpuLow; bCpuExpected += count * uCpuExpected; bCpuHigh += count * uCpuHigh
          bMemoryLow += count * uMemoryLow; bMemoryExpected += count * uMemoryExpected; bMemoryHigh += count * uMemoryHigh
        } else {
          bCpuLow += count * Math.max(rc, uCpuLow); bCpuExpected += count * Math.max(rc, uCpuExpected); bCpuHigh += count * Math.max(rc, uCpuHigh)
          bMemoryLow += count * Math.max(rm, uMemoryLow); bMemoryExpected += count * Math.max(rm, uMemoryExpected); bMemoryHigh += count * Math.max(rm, uMemoryHigh)
        }
      }
      cpuLow += bCpuLow; cpuExpected += bCpuExpected; cpuHigh += bCpuHigh
      memoryLow += bMemoryLow; memoryExpected += bMemoryExpected; memoryHigh += bMemoryHigh
    }
    // Cost from the totals as published (rounded), as meshCore computes it.
    out.cpuLow = round(cpuLow); out.cpuExpected = round(cpuExpected); out.cpuHigh = round(cpuHigh)
    out.memoryLow = round(memoryLow); out.memoryExpected = round(memoryExpected); out.memoryHigh = round(memoryHigh)
    out.monthlyLow = round(HOURS_PER_MONTH * (out.cpuLow * cpuCoreHour + out.memoryLow * memoryGiBHour), 2)
    out.monthlyExpected = round(HOURS_PER_MONTH * (out.cpuExpected * cpuCoreHour + out.memoryExpected * memoryGiBHour), 2)
    out.monthlyHigh = round(HOURS_PER_MONTH * (out.cpuHigh * cpuCoreHour + out.memoryHigh * memoryGiBHour), 2)
    out.additionalNodes = nodesWithMesh - workloadNodes
    out.additionalNodesMonthly = additionalNodesMonthlyOf(at, out.additionalNodes)
    out.nodesWithMesh = nodesWithMesh
  }
  return { totals }
}

/**
 * withMesh.place(workloadPods, clusterPods, minNodes), remembered. The nodes before the replicas are three groups:
 * full nodes, one node with the remainder, empty nodes up to minNodes. P replicas placed first-fit split at most P
 * nodes off a group, so a group of more than P + 1 nodes places them as one of P + 1 does: the nodes the replicas
 * add depend only on the groups' sizes capped at P + 1 and on the remainder, and over a sweep they repeat.
 */
function placed (withMesh: Packer, workloadPods: number, clusterPods: PackInput['clusterPods'], minNodes: number, placements: Map<number, number>): number {
  const perNode = withMesh.podsPerNode
  const full = Math.floor(workloadPods / perNode)
  const remainder = workloadPods - full * perNode
  const partial = remainder > 0 ? 1 : 0
  const empty = Math.max(0, minNodes - full - partial)
  if (clusterPods.length === 0) return full + partial + empty
  const cap = clusterPods.length + 1
  const cappedFull = Math.min(full, cap)
  const cappedEmpty = Math.min(empty, cap)
  const key = ((cappedFull * (perNode + 1)) + remainder) * (cap + 1) + cappedEmpty
  let added = placements.get(key)
  if (added === undefined) {
    const before = cappedFull + partial + cappedEmpty
    added = withMesh.place(cappedFull * perNode + remainder, clusterPods, before) - before
    placements.set(key, added)
  }
  return full + partial + empty + added
}

/**
 * autoscaledReplicas (estimate.ts) without its allocations: from the base count up to maxReplicas, the fewest at
 * which one replica's expected CPU (usageWith's sum, in its order) is within the target share of its request.
 */
function hpaReplicas (p: Part, at: Scenario): number {
  const hpa = p.component.replicas?.autoscaling
  if (hpa === undefined) return autoscaledReplicas(p.component, at)
  const target = p.requests.cpuCores * hpa.targetCpuUtilizationPercent / 100
  let replicas = Math.max(baseReplicas(p.component, at), hpa.minReplicas)
  if (target <= 0) return replicas
  while (replicas < hpa.maxReplicas) {
    let cpu = p.usage.cpu.expected
    for (const term of p.usage.terms) {
      if (term.cpu !== null) cpu += term.cpu.expected * driverValue(term.per, p.component, at, replicas, at.requestsPerSecondPerPod)
    }
    if (!(cpu > target)) break
    replicas++
  }
  return replicas
}
