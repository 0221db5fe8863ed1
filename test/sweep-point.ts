// A sweep point as the full engine gives it: the figures of one mesh's estimate that a sweep publishes at x.
// Shared by the sweep tests that hold sweeps to POST /estimate's answers.
import type { MeshEstimate } from '../src/schemas/estimate.js'
import type { SweepPoint } from '../src/schemas/integration.js'

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
