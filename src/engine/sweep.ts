// One scenario priced at many values of one field. Each point is exactly what POST /estimate answers for the
// scenario with that value (the same resolveScenario and estimateMesh), kept to the figures a chart plots.
import type { Catalog } from '../models/load.js'
import type { EstimateRequest } from '../schemas/estimate.js'
import { SWEEP_FIELDS, SWEEP_LIMITS, type SweepPoint, type SweepRequest, type SweepResponse } from '../schemas/integration.js'
import { DomainError } from '../errors.js'
import { estimateMesh, packWorkload } from './estimate.js'
import { resolveScenario } from './scenario.js'
import { round } from '../units.js'

/** The x values: `steps` points from `from` to `to`, equal differences or equal ratios; integers deduplicated. */
export function sweepValues (from: number, to: number, steps: number, scale: 'linear' | 'log', integer: boolean): number[] {
  const xs: number[] = []
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1)
    let x = scale === 'log' ? from * (to / from) ** t : from + (to - from) * t
    if (i === steps - 1) x = to // no rounding drift at the end
    x = integer ? Math.round(x) : round(x, 9)
    if (xs.length === 0 || x !== xs[xs.length - 1]) xs.push(x)
  }
  return xs
}

function withValue (scenario: EstimateRequest, vary: SweepRequest['vary'], x: number): EstimateRequest {
  switch (vary) {
    case 'pods': return { ...scenario, pods: x }
    case 'requestsPerSecondPerPod': return { ...scenario, traffic: { ...scenario.traffic, requestsPerSecondPerPod: x } }
    case 'services': return { ...scenario, workload: { ...scenario.workload, services: x } }
    case 'nodes': return { ...scenario, cluster: { ...scenario.cluster, nodes: x } }
  }
}

export function checkSweep (request: SweepRequest): void {
  const field = SWEEP_FIELDS[request.vary]
  const errors: Array<{ pointer: string, detail: string }> = []
  if (field.integer && request.from < field.min) errors.push({ pointer: '/from', detail: `must be >= ${field.min} when varying ${request.vary}` })
  if (request.scale === 'log' && request.from <= 0) errors.push({ pointer: '/from', detail: 'must be > 0 on a log scale' })
  if (request.to > field.max) errors.push({ pointer: '/to', detail: `must be <= ${field.max}, the limit of ${request.vary} in POST /estimate` })
  if (!(request.to > request.from)) errors.push({ pointer: '/to', detail: 'must be greater than from' })
  if (errors.length > 0) throw DomainError.invalid('sweep', errors)
}

/** Throws a 400 DomainError for a bad sweep, a 4xx one (pointers under /scenario) for a scenario that cannot be priced. */
export function sweep (request: SweepRequest, catalog: Catalog): SweepResponse {
  checkSweep(request)
  const scale = request.scale ?? 'linear'
  const xs = sweepValues(request.from, request.to, request.steps, scale, SWEEP_FIELDS[request.vary].integer)
  const meshCount = request.scenario.meshes?.length ?? catalog.meshes.size
  if (xs.length * meshCount > SWEEP_LIMITS.points) {
    throw DomainError.invalid('sweep', [{ pointer: '/steps', detail: `steps x meshes must be <= ${SWEEP_LIMITS.points} (here ${xs.length} x ${meshCount})` }])
  }
  let series: SweepResponse['series'] | undefined
  let basis = ''
  let currency = ''
  for (const x of xs) {
    let scenario
    try {
      scenario = resolveScenario(withValue(request.scenario, request.vary, x), catalog)
    } catch (err) {
      throw under(err, x, request.vary)
    }
    if (series === undefined) {
      series = scenario.meshes.map((m) => ({ mesh: m.id, name: m.name, points: [] as SweepPoint[] }))
      basis = scenario.basis
      currency = scenario.prices.currency
    }
    let workload
    try {
      workload = packWorkload(scenario)
    } catch (err) {
      throw under(err, x, request.vary)
    }
    for (let i = 0; i < scenario.meshes.length; i++) {
      let e
      try {
        e = estimateMesh(scenario.meshes[i] as never, scenario, workload)
      } catch (err) {
        throw under(err, x, request.vary)
      }
      const { cpuCores, memoryGiB } = e.totals
      const monthly = e.cost.monthly;
      (series[i] as { points: SweepPoint[] }).points.push({
        x,
        cpuCores: cpuCores.expected,
        cpuCoresLow: cpuCores.low,
        cpuCoresHigh: cpuCores.high,
        memoryGiB: memoryGiB.expected,
        memoryGiBLow: memoryGiB.low,
        memoryGiBHigh: memoryGiB.high,
        monthlyCost: round(monthly.expected, 2),
        monthlyCostLow: round(monthly.low, 2),
        monthlyCostHigh: round(monthly.high, 2),
        additionalNodes: e.capacity.additionalNodes,
        additionalNodesMonthlyCost: e.cost.additionalNodesMonthly,
        nodesWithMesh: e.capacity.nodesWithMesh
      })
    }
  }
  return { vary: request.vary, scale, basis, currency, series: series ?? [] }
}

/** A scenario error at one x, pointed into the sweep body. */
function under (err: unknown, x: number, vary: string): unknown {
  if (!(err instanceof DomainError)) return err
  return err.mapErrors((e) => ({ pointer: `/scenario${e.pointer}`, detail: `${e.detail} (at ${vary} = ${x})` }))
}
