// Cost deltas against a baseline: what changes, in resources and money, when the cluster moves from the
// baseline (no mesh, or the mesh it runs today) to each estimated mesh. Pure: no I/O.
import type { Models } from '../models/load.js'
import type { MeshModel } from '../models/schema.js'
import type { Delta, DeltaSide } from '../schemas/delta.js'
import type { MeshEstimate } from '../schemas/estimate.js'
import { DomainError } from '../errors.js'
import { round } from '../units.js'

/** What a delta reads of an estimate: a full one (view=full) or its figures alone (view=summary). */
export type MeshFigures = Pick<MeshEstimate, 'mesh' | 'totals' | 'capacity' | 'cost'>

/** One side of a delta from an estimate, or the no-mesh side from any estimate of the same scenario. */
export function sideOf (e: MeshFigures, noMesh = false): DeltaSide {
  if (noMesh) {
    return { cpuCores: 0, memoryGiB: 0, sidecars: 0, extraPods: 0, nodes: e.capacity.nodesWithoutMesh, monthlyCost: 0, additionalNodesMonthly: e.cost.additionalNodesMonthly === null ? null : 0 }
  }
  return {
    cpuCores: e.totals.cpuCores.expected,
    memoryGiB: e.totals.memoryGiB.expected,
    sidecars: e.totals.sidecars,
    extraPods: e.totals.extraPods,
    nodes: e.capacity.nodesWithMesh,
    monthlyCost: e.cost.monthly.expected,
    additionalNodesMonthly: e.cost.additionalNodesMonthly
  }
}

export function deltaOf (baseline: string, before: DeltaSide, after: DeltaSide, currency: string): Delta {
  const diff = (a: number, b: number, digits: number): number => round(a - b, digits) + 0 // + 0 turns -0 into 0
  return {
    baseline,
    currency,
    before,
    after,
    change: {
      cpuCores: diff(after.cpuCores, before.cpuCores, 6),
      memoryGiB: diff(after.memoryGiB, before.memoryGiB, 6),
      sidecars: after.sidecars - before.sidecars,
      extraPods: after.extraPods - before.extraPods,
      nodes: after.nodes - before.nodes,
      monthlyCost: diff(after.monthlyCost, before.monthlyCost, 2),
      additionalNodesMonthly: after.additionalNodesMonthly === null || before.additionalNodesMonthly === null
        ? null
        : diff(after.additionalNodesMonthly, before.additionalNodesMonthly, 2)
    }
  }
}

/**
 * Adds `delta` to each estimate against `baseline` ("none" or a mesh id). The baseline mesh is estimated in
 * the same scenario (through `estimateMesh`) whether or not the request listed it.
 */
export function withBaseline<E extends MeshFigures> (
  baseline: string | undefined,
  estimates: E[],
  models: Models,
  estimateMesh: (mesh: MeshModel) => E,
  pointer = '/baseline'
): E[] {
  if (baseline === undefined) return estimates
  let before: DeltaSide | undefined
  if (baseline !== 'none') {
    const model = models.meshes.get(baseline)
    if (model === undefined) {
      throw new DomainError([{ pointer, detail: `unknown mesh "${baseline}"; give "none" or one of: ${[...models.meshes.keys()].join(', ')}` }])
    }
    before = sideOf(estimates.find((e) => e.mesh === baseline) ?? estimateMesh(model))
  }
  return estimates.map((e) => ({ ...e, delta: deltaOf(baseline, before ?? sideOf(e, true), sideOf(e), e.cost.currency) }))
}
