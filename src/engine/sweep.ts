// One scenario priced at many values of one field. Each point is exactly what POST /estimate answers for the
// scenario with that value (the same resolveScenario, and meshTotals: the figures of estimateMesh that a chart
// plots, without the components, sources and latency it would build and throw away).
import type { Models } from '../models/load.js'
import type { EstimateRequest } from '../schemas/estimate.js'
import { STREAM_LIMITS, SWEEP_FIELDS, SWEEP_LIMITS, type SweepPoint, type SweepRequest, type SweepResponse } from '../schemas/integration.js'
import { DomainError } from '../errors.js'
import { meshTotals, packWorkload } from './estimate.js'
import { resolveScenario } from './scenario.js'
import { round } from '../units.js'

/** The x values: `steps` points from `from` to `to`, equal differences or equal ratios; integers deduplicated. */
export function sweepValues (from: number, to: number, steps: number, scale: 'linear' | 'log', integer: boolean): number[] {
  return [...eachSweepValue(from, to, steps, scale, integer)]
}

/** The same values one at a time, so that a streamed sweep of a million points holds none of them. */
export function * eachSweepValue (from: number, to: number, steps: number, scale: 'linear' | 'log', integer: boolean): Generator<number> {
  let previous: number | undefined
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1)
    let x = scale === 'log' ? from * (to / from) ** t : from + (to - from) * t
    if (i === steps - 1) x = to // no rounding drift at the end
    x = integer ? Math.round(x) : round(x, 9)
    if (x !== previous) yield x
    previous = x
  }
}

function withValue (scenario: EstimateRequest, vary: SweepRequest['vary'], x: number): EstimateRequest {
  switch (vary) {
    case 'pods': return { ...scenario, pods: x }
    case 'requestsPerSecondPerPod': return { ...scenario, traffic: { ...scenario.traffic, requestsPerSecondPerPod: x } }
    case 'services': return { ...scenario, workload: { ...scenario.workload, services: x } }
    case 'nodes': return { ...scenario, cluster: { ...scenario.cluster, nodes: x } }
  }
}

/** Limits of one sweep: SWEEP_LIMITS for an answer built in memory (JSON), STREAM_LIMITS for NDJSON and CSV. */
export interface Limits { steps: number, points: number }

export function checkSweep (request: SweepRequest, limits: Limits = SWEEP_LIMITS): void {
  const field = SWEEP_FIELDS[request.vary]
  const errors: Array<{ pointer: string, detail: string }> = []
  if (request.steps > limits.steps) {
    const detail = limits.steps === SWEEP_LIMITS.steps
      ? `must be <= ${SWEEP_LIMITS.steps} for a JSON answer; streamed answers (format=ndjson or csv) take up to ${STREAM_LIMITS.steps}`
      : `must be <= ${limits.steps}`
    errors.push({ pointer: '/steps', detail })
  }
  if (field.integer && request.from < field.min) errors.push({ pointer: '/from', detail: `must be >= ${field.min} when varying ${request.vary}` })
  if (request.scale === 'log' && request.from <= 0) errors.push({ pointer: '/from', detail: 'must be > 0 on a log scale' })
  if (request.to > field.max) errors.push({ pointer: '/to', detail: `must be <= ${field.max}, the limit of ${request.vary} in POST /estimate` })
  if (!(request.to > request.from)) errors.push({ pointer: '/to', detail: 'must be greater than from' })
  if (errors.length > 0) throw DomainError.invalid('sweep', errors)
}

export interface SweepPlan {
  vary: SweepRequest['vary']
  scale: 'linear' | 'log'
  basis: string
  currency: string
  meshes: Array<{ mesh: string, name: string }>
}

/**
 * Checks a sweep before any point is sent: its limits, and the scenario at the first and the last x (where
 * a scenario that cannot be priced fails, pods or nodes being largest or smallest there), so that a streamed
 * answer rarely meets an error after its 200. Throws a 400 DomainError for a bad sweep, a 4xx one (pointers
 * under /scenario) for a scenario that cannot be priced.
 */
export function planSweep (request: SweepRequest, models: Models, limits: Limits = SWEEP_LIMITS): SweepPlan {
  checkSweep(request, limits)
  const scale = request.scale ?? 'linear'
  const meshCount = request.scenario.meshes?.length ?? models.meshes.size
  if (request.steps * meshCount > limits.points) {
    let values = 0 // after integers are deduplicated: counted, not held
    const xs = eachSweepValue(request.from, request.to, request.steps, scale, SWEEP_FIELDS[request.vary].integer)
    while (xs.next().done !== true) values++
    if (values * meshCount > limits.points) {
      throw DomainError.invalid('sweep', [{ pointer: '/steps', detail: `steps x meshes must be <= ${limits.points} (here ${values} x ${meshCount})` }])
    }
  }
  let first: ReturnType<typeof resolveScenario> | undefined
  for (const x of [request.from, request.to]) {
    const value = SWEEP_FIELDS[request.vary].integer ? Math.round(x) : x
    try {
      const scenario = resolveScenario(withValue(request.scenario, request.vary, value), models)
      packWorkload(scenario)
      first ??= scenario
    } catch (err) {
      throw under(err, value, request.vary)
    }
  }
  const scenario = first as ReturnType<typeof resolveScenario>
  return { vary: request.vary, scale, basis: scenario.basis, currency: scenario.prices.currency, meshes: scenario.meshes.map((m) => ({ mesh: m.id, name: m.name })) }
}

/** Every point, x by x and mesh by mesh within each x, computed as it is asked for. */
export function * sweepPoints (request: SweepRequest, plan: SweepPlan, models: Models): Generator<{ mesh: number, point: SweepPoint }> {
  for (const x of eachSweepValue(request.from, request.to, request.steps, plan.scale, SWEEP_FIELDS[request.vary].integer)) {
    let scenario
    let workload
    try {
      scenario = resolveScenario(withValue(request.scenario, request.vary, x), models)
      workload = packWorkload(scenario)
    } catch (err) {
      throw under(err, x, request.vary)
    }
    for (let i = 0; i < scenario.meshes.length; i++) {
      let e
      try {
        e = meshTotals(scenario.meshes[i] as never, scenario, workload)
      } catch (err) {
        throw under(err, x, request.vary)
      }
      const { cpuCores, memoryGiB, monthly } = e
      yield {
        mesh: i,
        point: {
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
          additionalNodes: e.additionalNodes,
          additionalNodesMonthlyCost: e.additionalNodesMonthly,
          nodesWithMesh: e.nodesWithMesh
        }
      }
    }
  }
}

/** The whole sweep in memory, one series per mesh (the JSON answer). Throws as planSweep and sweepPoints do. */
export function sweep (request: SweepRequest, models: Models): SweepResponse {
  const plan = planSweep(request, models)
  const series = plan.meshes.map((m) => ({ ...m, points: [] as SweepPoint[] }))
  for (const { mesh, point } of sweepPoints(request, plan, models)) (series[mesh] as { points: SweepPoint[] }).points.push(point)
  return { vary: plan.vary, scale: plan.scale, basis: plan.basis, currency: plan.currency, series }
}

/** A scenario error at one x, pointed into the sweep body. */
function under (err: unknown, x: number, vary: string): unknown {
  if (!(err instanceof DomainError)) return err
  return err.mapErrors((e) => ({ pointer: `/scenario${e.pointer}`, detail: `${e.detail} (at ${vary} = ${x})` }))
}
