// Which defaulted inputs move the monthly cost most: each one halved and doubled, per mesh, through the
// totals-only path (meshTotals: no components, sources or latency per variant), then sorted by how far it
// moves the cost. An input that only feeds usage drivers none of a mesh's components scale with (or only the
// replicas of waypoint proxies, for a mesh without them) cannot move that mesh's figures: its variants are the
// mesh's own figures, not recomputed. Within a variant, a component that reads none of what the input changes
// keeps the figures it has in the scenario varied, and a packing whose input is unchanged is not redone (see
// CoreReuse); test/engine/sensitivity.test.ts checks every figure against a full estimate of the varied request.
import type { Component, MeshModel, ScalingDriver } from '../models/schema.js'
import type { MeshEstimate, MeshSensitivity, SensitivityOutcome } from '../schemas/estimate.js'
import type { PackResult } from './capacity.js'
import { DomainError } from '../errors.js'
import { isProxy, meshCore, meshDrivers, meshHasWaypoints, meshTotals, packWorkload, type CoreReuse, type PackMemo } from './estimate.js'
import { cacheOf } from './memo.js'
import { driversOf } from './usage.js'
import { servicesVisiblePerSidecar, type Scenario } from './scenario.js'
import { round } from '../units.js'

const FACTORS = [0.5, 2] as const

/** A defaulted input and how to build the scenario with it scaled by a factor; `value` is what the answer shows. */
interface Input {
  field: string
  value: number | string
  scaled: (factor: number) => { scenario: Scenario, value: number | null }
  /** the workload alone changes too (pod size): the no-mesh packing is redone */
  repack?: boolean
  /**
   * The engine reads this input only through these usage drivers (and through nothing else: not packing,
   * requests or prices), so a mesh whose components scale with none of them keeps its figures.
   */
  onlyDrivers?: readonly ScalingDriver[]
  /** read only in the replica count of components that run per waypoint */
  onlyWaypoints?: true
  /** whether a component's requests, replicas or usage read this input (packing and per-node counts aside) */
  reads: (component: Component) => boolean
}

const scalesWith = (component: Component, drivers: readonly ScalingDriver[]): boolean => driversOf(component.usage).some((d) => drivers.includes(d))

/** The defaulted inputs that scale, in the order defaultsApplied lists them. Booleans, names and the price book do not scale. */
function inputsOf (scenario: Scenario): Input[] {
  const defaulted = new Set(scenario.defaultsApplied.map((d) => d.field))
  const inputs: Input[] = []
  if (defaulted.has('/traffic/requestsPerSecondPerPod')) {
    inputs.push({
      field: '/traffic/requestsPerSecondPerPod',
      value: scenario.requestsPerSecondPerPod,
      onlyDrivers: ['thousandRequestsPerSecond'], // read in ScenarioDrivers.value only (HPA replicas follow usage)
      reads: (c) => scalesWith(c, ['thousandRequestsPerSecond']),
      scaled: (f) => ({
        scenario: { ...scenario, requestsPerSecondPerPod: scenario.requestsPerSecondPerPod * f, trafficGroups: scenario.trafficGroups.map((g) => ({ ...g, requestsPerSecondPerPod: g.requestsPerSecondPerPod * f })) },
        value: scenario.requestsPerSecondPerPod * f
      })
    })
  }
  if (defaulted.has('/workload/services')) {
    inputs.push({
      field: '/workload/services',
      value: scenario.services,
      onlyDrivers: ['visibleService', 'visibleEndpoint'],
      reads: (c) => scalesWith(c, ['visibleService', 'visibleEndpoint']),
      scaled: (f) => {
        const services = Math.max(1, Math.round(scenario.services * f))
        const visible = servicesVisiblePerSidecar(scenario.sidecarScoping, services, scenario.servicesVisibleWhenScoped)
        return { scenario: { ...scenario, services, servicesVisiblePerSidecar: visible }, value: services }
      }
    })
  }
  if (defaulted.has('/workload/servicesVisibleWhenScoped')) {
    inputs.push({
      field: '/workload/servicesVisibleWhenScoped',
      value: scenario.servicesVisibleWhenScoped,
      onlyDrivers: ['visibleService', 'visibleEndpoint'],
      reads: (c) => scalesWith(c, ['visibleService', 'visibleEndpoint']),
      scaled: (f) => {
        const scoped = Math.max(1, Math.round(scenario.servicesVisibleWhenScoped * f))
        const visible = servicesVisiblePerSidecar(scenario.sidecarScoping, scenario.services, scoped)
        return { scenario: { ...scenario, servicesVisibleWhenScoped: scoped, servicesVisiblePerSidecar: visible }, value: scoped }
      }
    })
  }
  if (defaulted.has('/workload/waypoints')) {
    inputs.push({
      field: '/workload/waypoints',
      value: scenario.waypoints,
      onlyWaypoints: true,
      reads: (c) => c.replicas?.perWaypoint === true,
      scaled: (f) => {
        // the bounds scenario.ts enforces on a given value: at least one, at most one per service
        const waypoints = Math.min(scenario.services, Math.max(1, Math.round(scenario.waypoints * f)))
        return { scenario: { ...scenario, waypoints }, value: waypoints }
      }
    })
  }
  if (defaulted.has('/workload/podRequests')) {
    for (const key of ['cpuCores', 'memoryGiB'] as const) {
      inputs.push({
        field: `/workload/podRequests/${key}`,
        value: scenario.podRequests[key],
        repack: true,
        reads: () => false, // the pods' own size: packing only
        scaled: (f) => ({ scenario: { ...scenario, podRequests: { ...scenario.podRequests, [key]: scenario.podRequests[key] * f } }, value: scenario.podRequests[key] * f })
      })
    }
  }
  if (defaulted.has('/options/proxyRequests')) {
    inputs.push({
      field: '/options/proxyRequests',
      value: 'chart defaults',
      reads: isProxy,
      scaled: (f) => ({ scenario: { ...scenario, proxyRequestScale: f }, value: null })
    })
  }
  return inputs
}

// Which included components an input leaves unchanged depends on the model alone: worked out once per set of
// included components and input.
const unchangedSets = new WeakMap<object, Map<string, readonly boolean[]>>()

function unchangedBy (input: Input, included: { components: readonly Component[] }): readonly boolean[] {
  const byField = cacheOf(unchangedSets, included)
  let unchanged = byField.get(input.field)
  if (unchanged === undefined) {
    unchanged = Object.freeze(included.components.map((c) => !input.reads(c)))
    byField.set(input.field, unchanged)
  }
  return unchanged
}

/** A varied scenario, its value as the answer shows it, and its no-mesh packing (null: the pods fit on no node). */
interface Variant { scenario: Scenario, value: number | null, packed: PackResult | null }

function outcome (mesh: MeshModel, scenario: Scenario, workload: PackResult, value: number | null, reuse: CoreReuse): SensitivityOutcome | null {
  try {
    const totals = meshTotals(mesh, scenario, workload, reuse)
    return { value, monthly: round(totals.monthly.expected, 2), additionalNodesMonthly: totals.additionalNodesMonthly === null ? null : round(totals.additionalNodesMonthly, 2) }
  } catch (error) {
    if (error instanceof DomainError) return null // e.g. a doubled pod that fits on no node
    throw error
  }
}

/**
 * Each mesh's expected monthly cost and additional nodes' monthly cost with each defaulted input halved and
 * doubled; inputs sorted by the largest change in either figure. `estimates` are the meshes' estimates as given;
 * `cores`, when given (estimateMeshes), the cores they were built from, by mesh id: the scenario as given is not
 * computed again.
 */
export function sensitivityOf (scenario: Scenario, workload: PackResult, estimates: readonly MeshEstimate[], cores?: ReadonlyMap<string, CoreReuse>): MeshSensitivity[] {
  const inputs = inputsOf(scenario)
  // Variant scenarios (and their no-mesh packing) are shared by every mesh.
  const variants = inputs.map((input) => FACTORS.map((f): Variant => {
    const { scenario: s, value } = input.scaled(f)
    let packed: PackResult | null = workload
    if (input.repack === true) {
      try { packed = packWorkload(s) } catch (error) { if (!(error instanceof DomainError)) throw error; packed = null }
    }
    return { scenario: s, value, packed }
  }))
  return scenario.meshes.map((mesh) => {
    const given = estimates.find((e) => e.mesh === mesh.id)
    const monthly = given?.cost.monthly.expected ?? 0
    const nodes = given?.cost.additionalNodesMonthly ?? null
    const drivers = meshDrivers(mesh, scenario)
    const waypoints = meshHasWaypoints(mesh, scenario)
    // Most variants (traffic, services, often waypoints) leave the mesh's packing input as it was: packed once.
    const built = cores?.get(mesh.id)
    const packMemo: PackMemo = built?.packMemo ?? []
    const base = built?.base ?? meshCore(mesh, scenario, workload, { packMemo })
    const rows = inputs.map((input, i) => {
      const moot = (input.onlyDrivers !== undefined && !input.onlyDrivers.some((d) => drivers.has(d))) ||
        (input.onlyWaypoints === true && !waypoints)
      const unchanged = moot ? [] : unchangedBy(input, base.included)
      const [halved, doubled] = (variants[i] ?? []).map((v) => {
        if (moot) return { value: v.value, monthly, additionalNodesMonthly: nodes }
        return v.packed === null ? null : outcome(mesh, v.scenario, v.packed, v.value, { packMemo, base, unchanged })
      })
      // the largest move of either figure, halved or doubled (0 when neither could be computed)
      let impact = 0
      for (const o of [halved, doubled]) {
        if (o === null || o === undefined) continue
        impact = Math.max(impact, Math.abs(o.monthly - monthly), o.additionalNodesMonthly === null || nodes === null ? 0 : Math.abs(o.additionalNodesMonthly - nodes))
      }
      return { field: input.field, value: input.value, halved: halved ?? null, doubled: doubled ?? null, impactMonthly: round(impact, 2) }
    })
    rows.sort((a, b) => b.impactMonthly - a.impactMonthly)
    return { mesh: mesh.id, monthly, additionalNodesMonthly: nodes, inputs: rows }
  })
}
