// One scenario priced at many values of one field. Each point is exactly what POST /estimate answers for the
// scenario with that value (the same resolveScenario, and meshTotals: the figures of estimateMesh that a chart
// plots, without the components, sources and latency it would build and throw away).
import type { Models } from '../models/load.js'
import type { EstimateRequest } from '../schemas/estimate.js'
import { STREAM_LIMITS, SWEEP_FIELDS, SWEEP_LIMITS, type SweepRequest } from '../schemas/integration.js'
import { DomainError } from '../errors.js'
import type { Packer } from './capacity.js'
import { nodesToday, packWorkload, workloadPacker } from './estimate.js'
import { resolveScenario, scenarioAt, type Scenario } from './scenario.js'
import { emptyTotals, meshSweep, type MeshSweep, type PointTotals } from './sweep-totals.js'
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

/**
 * Every x of the sweep with each mesh's totals there, x by x, computed as they are asked for: the incremental
 * path (sweep-totals.ts), which resolves the scenario and compiles each mesh once and then derives per x only
 * what the varied field feeds (scenarioAt). An x where one of resolveScenario's checks could fail is resolved in
 * full, so it throws the same error the scenario at that x would throw in POST /estimate.
 * The yielded row and its totals are reused from one x to the next: read them before asking for the next. A row
 * holds `count` meshes: all of them, except before an error at a mesh, where the meshes before it come first.
 */
export function * sweepRows (request: SweepRequest, plan: SweepPlan, models: Models): Generator<{ x: number, count: number, meshes: readonly PointTotals[] }> {
  const field = SWEEP_FIELDS[request.vary]
  let base: Scenario | undefined
  let compiled: Array<MeshSweep | { error: unknown }> = []
  let workload: Packer | undefined
  const totals = plan.meshes.map(emptyTotals)
  const row = { x: 0, count: 0, meshes: totals }
  let workloadNodes: number[] = []
  for (const x of eachSweepValue(request.from, request.to, request.steps, plan.scale, field.integer)) {
    let scenario: Scenario | undefined
    try {
      scenario = base === undefined ? undefined : scenarioAt(base, request.scenario, request.vary, x, models)
      scenario ??= resolveScenario(withValue(request.scenario, request.vary, x), models)
      // packWorkload's packing, its node and pod fixed: placed by arithmetic
      if (workload === undefined) workloadNodes = packWorkload(scenario).pools.map((p) => p.nodes)
      else workload.place(scenario.pods, [], nodesToday(scenario), workloadNodes)
    } catch (err) {
      throw under(err, x, request.vary)
    }
    if (base === undefined) {
      base = scenario
      workload = workloadPacker(scenario)
      compiled = scenario.meshes.map((mesh) => {
        try {
          return meshSweep(mesh, scenario as Scenario)
        } catch (error) {
          return { error } // the packing fails at every x: thrown at each x when the mesh's turn comes, as meshTotals would
        }
      })
    }
    row.x = x
    for (let i = 0; i < compiled.length; i++) {
      const mesh = compiled[i] as MeshSweep | { error: unknown }
      try {
        if ('error' in mesh) throw mesh.error
        mesh.totals(scenario, workloadNodes, totals[i] as PointTotals)
      } catch (err) {
        if (i > 0) {
          row.count = i
          yield row
        }
        throw under(err, x, request.vary)
      }
    }
    row.count = compiled.length
    yield row
  }
}

/** A scenario error at one x, pointed into the sweep body. */
function under (err: unknown, x: number, vary: string): unknown {
  if (!(err instanceof DomainError)) return err
  return err.mapErrors((e) => ({ pointer: `/scenario${e.pointer}`, detail: `${e.detail} (at ${vary} = ${x})` }))
}
