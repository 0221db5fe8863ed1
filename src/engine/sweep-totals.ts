// The incremental sweep: one mesh's totals at each x, with everything that no swept field feeds computed once.
// A swept field (pods, the request rate, services, nodes) feeds the replicas, the usage drivers and the node
// counts; it never feeds which components are installed, their requests, the pod and node shapes the packing
// divides, the prices or the basis. So per sweep: the included components, their requests and parsed usage, the
// packer of the workload with the mesh (capacity.ts), and the replica list when no replica autoscales; per x: the
// placement (arithmetic, plus the few replicas, remembered), and one allocation-free pass over the components
// with meshCore's own functions: sumReplicas (estimate.ts) per component, and the totals and their cost
// (totals.ts). test/engine/sweep-totals.test.ts holds the two paths equal.
import type { Component, MeshModel } from '../models/schema.js'
import { byCpuDescending, packer, type PackInput, type Packer, type Resources } from './capacity.js'
import { additionalNodesMonthlyOf, autoscaledReplicas, includedComponents, meshPackInput, requestsOf, sumReplicas } from './estimate.js'
import type { Scenario } from './scenario.js'
import { BasisTotals, emptyPublished, replicasOf, ReplicaSums, type PublishedTotals } from './totals.js'

/** One mesh's figures at one x: what a sweep point publishes, as estimateMesh publishes them. */
export interface PointTotals extends PublishedTotals {
  additionalNodes: number
  additionalNodesMonthly: number | null
  nodesWithMesh: number
}

interface Part {
  component: Component
  scope: Component['scope']
  requests: Resources
  /** a cluster-scoped component's replicas when no swept field moves them (no autoscaling); -1 otherwise */
  fixedReplicas: number
}

export interface MeshSweep {
  /** One mesh's totals at the scenario `at` (the sweep's scenario at one x) on `workloadNodes` nodes per pool without the mesh, into `out`. */
  totals: (at: Scenario, workloadNodes: readonly number[], out: PointTotals) => void
}

// Built on emptyPublished's object, so that publish() writes to objects of one shape in the sweep and in meshCore (a
// spread copy has another shape, and publish's stores went polymorphic: the sweep took 15 % longer).
export const emptyTotals = (): PointTotals => Object.assign(emptyPublished(), { additionalNodes: 0, additionalNodesMonthly: null, nodesWithMesh: 0 })

/**
 * Compiles one mesh for a sweep of `scenario` (the sweep's scenario at any x). Throws the DomainError the
 * packing throws at every x when the mesh leaves no room on a node or its pod fits none.
 */
export function meshSweep (mesh: MeshModel, scenario: Scenario): MeshSweep {
  const components = includedComponents(mesh, scenario).components
  const requests = components.map((c) => requestsOf(c, scenario))
  const parts: Part[] = components.map((component, i) => ({
    component,
    scope: component.scope,
    requests: requests[i] as Resources,
    fixedReplicas: component.scope === 'cluster' && component.replicas?.autoscaling === undefined ? autoscaledReplicas(component, scenario, requests[i] as Resources) : -1
  }))
  const replicas = parts.map((p) => p.scope === 'cluster' ? p.fixedReplicas : 0)
  const noNodes = scenario.pools.map(() => 0)
  const shapes = meshPackInput(components, requests, replicas, scenario, noNodes)
  const withMesh: Packer = packer(scenario.pools, shapes.pod, shapes.perNode, shapes.podLabel)
  // One pool (cluster.nodeType or cluster.node) is placed by arithmetic (`placed`); several, by the packer itself.
  const podsPerNode = scenario.pools.length === 1 ? (withMesh.pools[0] as Packer['pools'][number]).podsPerNode : 0
  const meshNodes = scenario.pools.map(() => 0)
  const autoscaled = parts.some((p) => p.scope === 'cluster' && p.fixedReplicas < 0)
  // The replicas to place, sorted: rebuilt only when an autoscaled count moves (a few times over a sweep).
  let clusterPods: PackInput['clusterPods'] = byCpuDescending(shapes.clusterPods)
  let placements = new Map<number, number>()
  let moved = autoscaled
  const sums = new ReplicaSums()
  const basisTotals = new BasisTotals()

  function totals (at: Scenario, workloadNodes: readonly number[], out: PointTotals): void {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as Part
      if (p.scope !== 'cluster' || p.fixedReplicas >= 0) continue
      const r = autoscaledReplicas(p.component, at, p.requests)
      if (replicas[i] !== r) moved = true
      replicas[i] = r
    }
    if (moved) {
      clusterPods = byCpuDescending(meshPackInput(components, requests, replicas, at, noNodes).clusterPods)
      placements = new Map()
      moved = false
    }
    let nodesWithMesh = 0
    if (podsPerNode > 0) {
      nodesWithMesh = placed(withMesh, podsPerNode, at.pods, clusterPods, workloadNodes[0] as number, placements)
      meshNodes[0] = nodesWithMesh
    } else {
      withMesh.place(at.pods, clusterPods, workloadNodes, meshNodes)
      for (const n of meshNodes) nodesWithMesh += n
    }
    let nodesWithoutMesh = 0
    for (const n of workloadNodes) nodesWithoutMesh += n

    basisTotals.reset()
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as Part
      sumReplicas(sums, p.component, at, replicasOf(p.scope, at.pods, nodesWithMesh, replicas[i] as number), p.requests)
      basisTotals.add(sums)
    }
    // at this x's prices: with node pools the pricing pool may move with the pod count
    basisTotals.publish(at.prices, out)
    out.additionalNodes = nodesWithMesh - nodesWithoutMesh
    out.additionalNodesMonthly = additionalNodesMonthlyOf(at, workloadNodes, meshNodes)
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
function placed (withMesh: Packer, perNode: number, workloadPods: number, clusterPods: PackInput['clusterPods'], minNodes: number, placements: Map<number, number>): number {
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
    const nodes = [0]
    withMesh.place(cappedFull * perNode + remainder, clusterPods, [before], nodes)
    added = (nodes[0] as number) - before
    placements.set(key, added)
  }
  return full + partial + empty + added
}
