// Sweep points as objects, for the tests that hold the service's sweeps (sweep-text.ts writes them as text
// straight from sweepRows) to POST /estimate's answers: a point as the full engine gives it, and a whole sweep
// of SweepPoint objects from the engine's rows.
import type { Models } from '../src/models/load.js'
import { planSweep, sweepRows, type SweepPlan } from '../src/engine/sweep.js'
import type { PointTotals } from '../src/engine/sweep-totals.js'
import type { MeshEstimate } from '../src/schemas/estimate.js'
import type { SweepPoint, SweepRequest, SweepResponse } from '../src/schemas/integration.js'

export function pointOfEstimate (x: number, e: MeshEstimate): SweepPoint {
  return {
    x,
    cpuCores: e.totals.cpuCores.expected,
    cpuCoresLow: e.totals.cpuCores.low,
    cpuCoresHigh: e.totals.cpuCores.high,
    memoryGiB: e.totals.memoryGiB.expected,
    memoryGiBLow: e.totals.memoryGiB.low,
    memoryGiBHigh: e.totals.memoryGiB.high,
    monthlyCost: e.cost.monthly.expected,
    monthlyCostLow: e.cost.monthly.low,
    monthlyCostHigh: e.cost.monthly.high,
    additionalNodes: e.capacity.additionalNodes,
    additionalNodesMonthlyCost: e.cost.additionalNodesMonthly,
    nodesWithMesh: e.capacity.nodesWithMesh
  }
}

/** One mesh's point at one x, as the JSON answer and the route's formats publish it. */
export function sweepPoint (x: number, t: PointTotals): SweepPoint {
  return {
    x,
    cpuCores: t.cpuExpected,
    cpuCoresLow: t.cpuLow,
    cpuCoresHigh: t.cpuHigh,
    memoryGiB: t.memoryExpected,
    memoryGiBLow: t.memoryLow,
    memoryGiBHigh: t.memoryHigh,
    monthlyCost: t.monthlyExpected,
    monthlyCostLow: t.monthlyLow,
    monthlyCostHigh: t.monthlyHigh,
    additionalNodes: t.additionalNodes,
    additionalNodesMonthlyCost: t.additionalNodesMonthly,
    nodesWithMesh: t.nodesWithMesh
  }
}

/** Every point, x by x and mesh by mesh within each x, computed as it is asked for. */
function * sweepPoints (request: SweepRequest, plan: SweepPlan, models: Models): Generator<{ mesh: number, point: SweepPoint }> {
  for (const { x, count, meshes } of sweepRows(request, plan, models)) {
    for (let i = 0; i < count; i++) yield { mesh: i, point: sweepPoint(x, meshes[i] as PointTotals) }
  }
}

/** The whole sweep in memory, one series per mesh (the JSON answer). Throws as planSweep and sweepPoints do. */
export function sweep (request: SweepRequest, models: Models): SweepResponse {
  const plan = planSweep(request, models)
  const series = plan.meshes.map((m) => ({ ...m, points: [] as SweepPoint[] }))
  for (const { mesh, point } of sweepPoints(request, plan, models)) (series[mesh] as { points: SweepPoint[] }).points.push(point)
  return { vary: plan.vary, scale: plan.scale, basis: plan.basis, currency: plan.currency, series }
}
