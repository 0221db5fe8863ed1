// Fits the usage coefficients of each engine (the program a component runs: envoy, linkerd2-proxy, ztunnel,
// istiod, ...) to the evidence records (models/evidence), by a stated and robust method. Pure: the same priors and
// records give the same coefficients, byte for byte (npm run generate writes them to models/fitted/, and
// test/engine/fit.test.ts fails when the committed files differ from a fresh fit).
//
// The method, per engine and resource (CPU, memory), fixed before the results were looked at:
// 1. Every record of the engine counts, whichever mesh ran it: istio-proxy, the gateways, the waypoint, kuma-dp,
//    consul-dataplane, cilium-envoy and Envoy Gateway's proxies are all Envoy. Structure comes from the model files
//    (the priors): the engine's load terms are those of its component with the most of them; the fit re-estimates
//    numbers only and never adds a term no model names.
// 2. The idle base, for an engine whose load term is the request rate: the records measured at no more than
//    NEAR_IDLE_RPS requests per second through the replica, less the traffic term; the median of per-source medians.
//    Never an intercept extrapolated from loaded runs: without near-idle records the model file's idle figure stays.
// 3. The slope of the first load term the records give (per 1,000 requests per second, per meshed pod, per pod in
//    the cluster): per source, the Theil–Sen slope (median pairwise slope) where it measured two or more levels;
//    for the request rate, a source with one loaded level pairs it with the idle base: (measured − idle) ÷ x.
//    Never below zero. The slope is the median over sources. Without such records the model file's slope stays.
// 4. For other load terms (pods), the base is each typical record less its terms, the median of per-source medians.
//    Extreme statistics (p90, p99, max) never set the expected value unless a source published nothing else.
// 5. A per-mesh adjustment only where evidence shows one: when a component's own records (its mesh, its
//    component) come from at least ADJUSTMENT_MIN_SOURCES sources and the engine has records of other components
//    too, base and slope are multiplied by the median over those sources of their median measured ÷ engine-fit
//    ratio (e.g. Istio's sidecar, whose telemetry filters other Envoys do not run). The adjustment names its sources.
// 6. The range: a jackknife prediction interval from the engine's leave-one-source-out errors
//    (src/engine/jackknife.ts). This module gives the point fit (low = expected = high).
// 7. A record for several components together (`covers`: a whole control plane) fits their sum; the sum is
//    split over the covered components in proportion to their prior expected values, unless the component's
//    engine has records of its own, which then win.
// 8. A component or resource whose engine has no records keeps its prior's expected values, and the fit says so
//    (`noEvidence`); jackknife.ts gives it a range by a stated assumption.
// 9. A record whose source reports it as a defect (`fault`: a crash, an eviction, a leak, a storm the project fixed)
//    measures the defect, not the component's working cost: it sets no figure and no interval. GET /validation
//    still predicts it, and tallies it apart.
// Terms the fit does not set (configuration size, connections, churn) keep the model file's figures; a slope is
// fitted on what the record measured less those terms at its setup, so a source that grew services while it grew
// pods does not pass the services' cost off as the pods'.
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import { BENCHMARK_CONNECTIONS, type Component, type MeshModel, type ScalingDriver } from '../models/schema.js'
import type { Range } from '../schemas/common.js'

export type Resource = 'cpu' | 'memory'
export const RESOURCES: readonly Resource[] = ['cpu', 'memory']

/** Requests per second through one replica at or below which a record measures the idle base. */
export const NEAR_IDLE_RPS = 10
/** Sources of a component's own that an adjustment of its engine's fit needs. */
export const ADJUSTMENT_MIN_SOURCES = 3

/** A record with the id of its source and the engine it measured, as the fit and the validation use it. */
export interface SourcedRecord {
  sourceId: string
  record: EvidenceRecord
  engine: string
  /** the modelled component that ran, when the record's mesh is modelled: its scope places configuration drivers */
  component?: Component
}

/** Fitted coefficients of one resource of one component: cores, or MiB, per replica (slopes per driver unit). */
export interface FittedResource {
  /** the engine whose records were fitted */
  engine?: string
  base: Range
  slope?: { per: ScalingDriver, range: Range }
  /** evidence ids, "<source>/<record>", behind these figures */
  records: string[]
  sources: string[]
  /** how the figure was obtained; assumption: no evidence, the model file's expected value with a stated range */
  method: 'fit' | 'share-of-covered-sum' | 'assumption'
  /** rule 5: the factor this component's own records set on its engine's fit, and their sources */
  adjustment?: { factor: number, sources: string[] }
  /** the range as factors of the expected value (src/engine/jackknife.ts); the point fit has none */
  interval?: Interval
}

/** Factors of the expected value that give low and high, and the ratios they were read from. */
export interface Factors { low: number, high: number, ratios: number, sources: number }

/** A prediction interval as factors of the expected value, and what it was built from. */
export interface Interval {
  /** the central share of leave-one-source-out ratios it spans */
  coverage: number
  /** factors of the base and of every term the fit did not set */
  low: number
  high: number
  /** factors of the fitted slope's share, from the records where the slope carried most of the prediction */
  slope?: Factors
  /** engine: the engine's own leave-one-source-out ratios; assumption: no evidence, another engine's interval */
  pool: 'engine' | 'assumption'
  ratios: number
  sources: number
  /** assumption: the mesh/component whose interval was taken */
  like?: string
}

/** Fitted figures of one component: CPU in cores, memory in MiB, per replica. */
export interface FittedComponent {
  cpuCores?: FittedResource
  memoryMiB?: FittedResource
}

/** Where a resource's fitted figures sit in a FittedComponent. */
export const FIELD = { cpu: 'cpuCores', memory: 'memoryMiB' } as const

export interface FittedMesh {
  mesh: string
  components: Record<string, FittedComponent>
  /** components (and resources) with no usage evidence: their figures stay as the model file states them */
  noEvidence: string[]
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const TYPICAL = new Set(['mean', 'median'])
export const isTypical = (record: EvidenceRecord): boolean => TYPICAL.has(record.statistic)

/** The measured figure of a record in the fit's units: cores, or MiB. */
export function measured (record: EvidenceRecord, resource: Resource): number | undefined {
  return resource === 'cpu' ? record.cpuCores : record.memoryMiB
}

/**
 * A driver's value in a measured setup, or undefined when the setup does not give it. Sidecar benchmarks seldom
 * state how many services each proxy saw (namespace isolation usually limits it), so per-service and
 * per-endpoint terms are known for a sidecar only where the setup states visibleServices / visibleEndpoints;
 * node and cluster components see the whole mesh. `scope` is the measured component's (undefined outside the models).
 */
export function setupDriver (per: ScalingDriver, scope: Component['scope'] | undefined, record: EvidenceRecord): number | undefined {
  const s = record.setup
  const wholeMesh = scope === 'perNode' || scope === 'cluster'
  switch (per) {
    case 'thousandRequestsPerSecond': return s.requestsPerSecond === undefined ? undefined : s.requestsPerSecond / 1000
    case 'meshedPod':
    case 'meshedPodPerReplica': return s.proxies ?? s.pods
    case 'clusterPod': return s.pods
    case 'visibleService': return s.visibleServices ?? (wholeMesh ? s.services : undefined)
    case 'visibleEndpoint': return s.visibleEndpoints ?? (wholeMesh ? s.pods : undefined)
    case 'activeConnection': return s.connections === undefined ? undefined : Math.max(0, s.connections - BENCHMARK_CONNECTIONS)
    case 'podChurnPerMinute': return s.podChurnPerMinute
  }
}

/** Rule 9: does the record measure a defect rather than the working cost? */
export const isFault = (r: SourcedRecord): boolean => r.record.fault !== undefined

/** Drivers a measurement's setup is expected to state (load and mesh size); per-service and per-endpoint
 * configuration terms are not, and count as zero where unknown (the base absorbs the benchmark's own). */
const LOAD_DRIVERS: ReadonlySet<ScalingDriver> = new Set(['thousandRequestsPerSecond', 'meshedPod', 'meshedPodPerReplica', 'clusterPod'])

/** Does the record's setup give every load driver the terms use? If not, the model cannot place it. */
export function placeable (record: EvidenceRecord, terms: Array<{ per: ScalingDriver }>): boolean {
  return terms.every((t) => !LOAD_DRIVERS.has(t.per) || setupDriver(t.per, undefined, record) !== undefined)
}

const unitOf = (resource: Resource) => resource === 'cpu' ? cpuCores : (q: string) => memoryGiB(q) * 1024

/** The prior's terms for a resource, in the fit's units per driver unit. */
export function priorTerms (component: Component, resource: Resource): Array<{ per: ScalingDriver, range: Range }> {
  const unit = unitOf(resource)
  return (component.usage.scaling ?? []).flatMap((term) => {
    const t = term[resource]
    return t === undefined ? [] : [{ per: term.per, range: { low: unit(t.low), expected: unit(t.expected), high: unit(t.high) } }]
  })
}

export function priorBase (component: Component, resource: Resource): Range {
  const unit = unitOf(resource)
  const r = component.usage[resource]
  return { low: unit(r.low), expected: unit(r.expected), high: unit(r.high) }
}

/** Theil–Sen slope of one source's points: the median pairwise slope over distinct x, at least zero. */
function theilSen (points: Array<{ x: number, y: number }>): number | undefined {
  const slopes: number[] = []
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as { x: number, y: number }
      const b = points[j] as { x: number, y: number }
      if (a.x !== b.x) slopes.push((b.y - a.y) / (b.x - a.x))
    }
  }
  return slopes.length === 0 ? undefined : Math.max(0, median(slopes))
}

const bySource = <T extends { sourceId: string }>(items: T[]): Map<string, T[]> => {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(item.sourceId, [...(groups.get(item.sourceId) ?? []), item])
  return groups
}
const medianOfSources = (items: SourcedRecord[], value: (r: SourcedRecord) => number): number =>
  median([...bySource(items).values()].map((group) => median(group.map(value))))

const idOf = (r: SourcedRecord): string => `${r.sourceId}/${r.record.id}`

/** The structure an engine's records are fitted with: the terms, in the fit's units, of one prior component. */
export interface EngineStructure { component: Component, terms: Array<{ per: ScalingDriver, range: Range }> }

/** One replica's figure at a record's setup from a base, a fitted slope and the other terms' expected values. */
export function pointAt (structure: EngineStructure, base: number, slope: { per: ScalingDriver, expected: number } | undefined, r: SourcedRecord): number {
  const scope = r.component?.scope
  return structure.terms.reduce((sum, t) => sum + (setupDriver(t.per, scope, r.record) ?? 0) * (slope !== undefined && t.per === slope.per ? slope.expected : t.range.expected), base)
}

/**
 * Fits one resource of one engine (or of a covered sum: `structure` is then the prior that gives the structure,
 * here the sum of the covered components' bases with no terms). Rules 2–4.
 */
function fitResource (structure: EngineStructure, records: SourcedRecord[], resource: Resource, idlePrior: number, engine?: string): FittedResource | undefined {
  const terms = structure.terms
  const usable = records.filter((r) => measured(r.record, resource) !== undefined && placeable(r.record, terms))
  if (usable.length === 0) return undefined
  const y = (r: SourcedRecord): number => measured(r.record, resource) as number
  const x = (per: ScalingDriver, r: SourcedRecord): number => setupDriver(per, r.component?.scope, r.record) ?? 0
  const typical = usable.filter((r) => isTypical(r.record))
  const basis = typical.length > 0 ? typical : usable
  // the request rate is the engine's first load term
  const traffic = terms.find((t) => LOAD_DRIVERS.has(t.per))?.per === 'thousandRequestsPerSecond'
  const rps = (r: SourcedRecord): number => r.record.setup.requestsPerSecond ?? 0
  // what the record measured less every term but `per`, at the terms' model-file figures
  const less = (per: ScalingDriver) => (r: SourcedRecord): number => y(r) - pointAt(structure, 0, { per, expected: 0 }, r)

  let slope: { per: ScalingDriver, expected: number } | undefined
  let base: number
  if (traffic) {
    // 2. the idle base from (near-)idle records; 3. the slope from loaded ones, against that idle base
    const nearIdle = basis.filter((r) => rps(r) <= NEAR_IDLE_RPS)
    const idle = basis.filter((r) => rps(r) === 0)
    const byTraffic = less('thousandRequestsPerSecond')
    const idleFirst = idle.length > 0 ? medianOfSources(idle, byTraffic) : idlePrior
    const perSource: number[] = []
    for (const group of bySource(basis.filter((r) => rps(r) > NEAR_IDLE_RPS)).values()) {
      const points = group.map((r) => ({ x: x('thousandRequestsPerSecond', r), y: byTraffic(r) }))
      perSource.push(theilSen(points) ?? Math.max(0, median(points.map((p) => (p.y - idleFirst) / p.x))))
    }
    const prior = terms.find((t) => t.per === 'thousandRequestsPerSecond')
    slope = perSource.length > 0 ? { per: 'thousandRequestsPerSecond', expected: median(perSource) } : prior === undefined ? undefined : { per: 'thousandRequestsPerSecond', expected: prior.range.expected }
    const fitted = slope
    base = nearIdle.length > 0 ? Math.max(0, medianOfSources(nearIdle, (r) => y(r) - pointAt(structure, 0, fitted, r))) : idlePrior
    if (perSource.length === 0) slope = undefined // the model file's slope stays, cited as the model file's
  } else {
    // 3. the first load term the records give, per source by Theil–Sen over two or more levels; 4. the base
    for (const term of terms.filter((t) => LOAD_DRIVERS.has(t.per))) {
      const perSource: number[] = []
      for (const group of bySource(basis.filter((r) => x(term.per, r) > 0)).values()) {
        const spread = theilSen(group.map((r) => ({ x: x(term.per, r), y: less(term.per)(r) })))
        if (spread !== undefined) perSource.push(spread)
      }
      if (perSource.length > 0) { slope = { per: term.per, expected: median(perSource) }; break }
    }
    const fitted = slope
    base = Math.max(0, medianOfSources(basis, (r) => y(r) - pointAt(structure, 0, fitted, r)))
  }

  const scaled = (v: number): Range => ({ low: v, expected: v, high: v })
  return {
    ...(engine === undefined ? {} : { engine }),
    base: scaled(base),
    ...(slope === undefined ? {} : { slope: { per: slope.per, range: scaled(slope.expected) } }),
    records: usable.map(idOf).sort(),
    sources: [...new Set(usable.map((r) => r.sourceId))].sort(),
    method: 'fit'
  }
}

const round = (x: number): number => Number(x.toPrecision(4))
const roundRange = (r: Range): Range => ({ low: round(r.low), expected: round(r.expected), high: round(r.high) })
function rounded (f: FittedResource): FittedResource {
  return { ...f, base: roundRange(f.base), ...(f.slope === undefined ? {} : { slope: { per: f.slope.per, range: roundRange(f.slope.range) } }) }
}

/** Every record of the evidence with its source id, the engine it measured and, inside the models, its component. */
export function sourcedRecords (priors: Iterable<MeshModel>, evidence: Iterable<EvidenceFile>): SourcedRecord[] {
  const meshes = new Map([...priors].map((p) => [p.id, p]))
  const out: SourcedRecord[] = []
  for (const file of evidence) {
    for (const record of file.records) {
      const component = meshes.get(record.mesh)?.components.find((c) => c.id === record.component)
      const engine = component?.engine ?? record.engine
      if (engine !== undefined) out.push({ sourceId: file.source.id, record, engine, ...(component === undefined ? {} : { component }) })
    }
  }
  return out
}

/** The component whose load terms structure an engine's fit: the one with the most, first by mesh then component. */
export function engineStructure (priors: readonly MeshModel[], engine: string, resource: Resource): EngineStructure | undefined {
  let best: EngineStructure | undefined
  for (const prior of [...priors].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const component of prior.components.filter((c) => c.engine === engine)) {
      const terms = priorTerms(component, resource)
      const load = terms.filter((t) => LOAD_DRIVERS.has(t.per)).length
      if (best === undefined || load > best.terms.filter((t) => LOAD_DRIVERS.has(t.per)).length) best = { component, terms }
    }
  }
  return best
}

/** The point fit of every engine and resource on the records (rules 1–4), before any per-mesh adjustment. */
export function fitEngines (priors: readonly MeshModel[], records: readonly SourcedRecord[]): Map<string, { structure: EngineStructure, fitted: FittedResource }> {
  const out = new Map<string, { structure: EngineStructure, fitted: FittedResource }>()
  const engines = [...new Set(priors.flatMap((p) => p.components.map((c) => c.engine)))].sort()
  for (const engine of engines) {
    const own = records.filter((r) => r.engine === engine && r.record.covers === undefined)
    for (const resource of RESOURCES) {
      const structure = engineStructure(priors, engine, resource)
      if (structure === undefined) continue
      const fitted = fitResource(structure, own, resource, priorBase(structure.component, resource).expected, engine)
      if (fitted !== undefined) out.set(`${engine}/${resource}`, { structure, fitted })
    }
  }
  return out
}

/** Rule 5: the factor a component's own records set on its engine's fit, when three or more sources show it. */
function adjustmentOf (component: Component, mesh: string, engineFit: { structure: EngineStructure, fitted: FittedResource }, records: readonly SourcedRecord[], resource: Resource): FittedResource['adjustment'] {
  const engineRecords = records.filter((r) => r.engine === component.engine && r.record.covers === undefined && measured(r.record, resource) !== undefined)
  const own = engineRecords.filter((r) => r.record.mesh === mesh && r.record.component === component.id && isTypical(r.record) && placeable(r.record, engineFit.structure.terms))
  if (own.length === engineRecords.length) return undefined // nothing but its own: the engine's fit is its own
  const f = engineFit.fitted
  const slope = f.slope === undefined ? undefined : { per: f.slope.per, expected: f.slope.range.expected }
  const ratios = own.flatMap((r) => {
    const predicted = pointAt(engineFit.structure, f.base.expected, slope, r)
    return predicted > 0 ? [{ sourceId: r.sourceId, ratio: (measured(r.record, resource) as number) / predicted }] : []
  })
  const sources = [...new Set(ratios.map((r) => r.sourceId))].sort()
  if (sources.length < ADJUSTMENT_MIN_SOURCES) return undefined
  return { factor: round(median(sources.map((s) => median(ratios.filter((r) => r.sourceId === s).map((r) => r.ratio))))), sources }
}

/** One component's figures from its engine's fit: the base, the slope where it has that term, the adjustment. */
function componentFit (component: Component, mesh: string, engineFit: { structure: EngineStructure, fitted: FittedResource }, records: readonly SourcedRecord[], resource: Resource): FittedResource {
  const f = engineFit.fitted
  const hasTerm = f.slope !== undefined && priorTerms(component, resource).some((t) => t.per === f.slope?.per)
  const adjustment = adjustmentOf(component, mesh, engineFit, records, resource)
  const k = adjustment?.factor ?? 1
  const times = (r: Range): Range => ({ low: r.low * k, expected: r.expected * k, high: r.high * k })
  const { slope, ...rest } = f
  return { ...rest, base: times(f.base), ...(hasTerm && slope !== undefined ? { slope: { per: slope.per, range: times(slope.range) } } : {}), ...(adjustment === undefined ? {} : { adjustment }) }
}

/** The point fit (rules 1–5, 7, 8) of every mesh in the catalog's priors: low = expected = high. */
export function fitPoints (priors: Iterable<MeshModel>, evidence: Iterable<EvidenceFile>): FittedMesh[] {
  const models = [...priors]
  const records = sourcedRecords(models, evidence).filter((r) => !isFault(r))
  const engines = fitEngines(models, records)
  return models.map((prior) => {
    const components: Record<string, FittedComponent> = {}
    const noEvidence: string[] = []
    const covered = records.filter((r) => r.record.mesh === prior.id && r.record.covers !== undefined)
    for (const component of prior.components) {
      const fitted: FittedComponent = {}
      for (const resource of RESOURCES) {
        const engineFit = engines.get(`${component.engine}/${resource}`)
        const result = engineFit !== undefined ? componentFit(component, prior.id, engineFit, records, resource) : shareOfCoveredSum(prior, component, covered, resource)
        if (result === undefined) noEvidence.push(`${component.id}/${resource}`)
        else fitted[FIELD[resource]] = rounded(result)
      }
      if (Object.keys(fitted).length > 0) components[component.id] = fitted
    }
    return { mesh: prior.id, components, noEvidence }
  })
}

/** 7. A covered sum (several components measured together), fitted as one and split by the prior's shares. */
function shareOfCoveredSum (prior: MeshModel, component: Component, covered: SourcedRecord[], resource: Resource): FittedResource | undefined {
  const groups = covered.filter((r) => r.record.covers?.includes(component.id) === true)
  if (groups.length === 0) return undefined
  const members = prior.components.filter((c) => groups[0]?.record.covers?.includes(c.id) === true)
  const sameGroup = groups.filter((r) => JSON.stringify([...(r.record.covers ?? [])].sort()) === JSON.stringify(members.map((c) => c.id).sort()))
  const sum = fitResource({ component, terms: [] }, sameGroup, resource, 0)
  if (sum === undefined) return undefined
  const total = members.reduce((s, c) => s + priorBase(c, resource).expected, 0)
  const share = total > 0 ? priorBase(component, resource).expected / total : 1 / members.length
  const part = (r: Range): Range => ({ low: r.low * share, expected: r.expected * share, high: r.high * share })
  return { ...sum, engine: component.engine, base: part(sum.base), method: 'share-of-covered-sum' }
}
