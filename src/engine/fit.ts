// Fits each component's usage coefficients to the evidence records (models/evidence), by a stated and robust
// method. Pure: the same priors and records give the same coefficients, byte for byte (npm run fit writes them
// to models/fitted/, and test/engine/fit.test.ts fails when the committed files differ from a fresh fit).
//
// The method, per mesh, component and resource (CPU, memory):
// 1. Structure comes from the model file (the prior): its base and its scaling terms. The fit re-estimates
//    numbers only; it never adds a term the model does not name.
// 2. A slope is fitted for the first load term of the prior (per 1,000 requests per second, per meshed pod, per
//    pod in the cluster) whose driver the typical records give above zero. Each source gives one estimate: the
//    Theil–Sen slope (the median of its pairwise slopes) where it measured two or more levels. For the traffic
//    term only, a source that measured one level pairs it with the model file's idle figure (no traffic, x = 0):
//    the median of (measured − idle) ÷ x; a mesh without pods has no such idle point. Never below zero. The slope is the median over sources. Without such records the model file's slope stays, with
//    its chart or documentation sources.
// 3. The base: each typical record (mean or median) less every term whose driver its setup gives (at their
//    expected values); each source's base is the median of its records'; the base is the median over sources.
//    When no source measured two levels, base and slope cannot both be fitted, and the idle base stays.
//    Extreme statistics (p90, p99, max) never set the expected value unless a source published nothing else.
// 4. The range: a jackknife prediction interval from the leave-one-source-out errors (src/engine/jackknife.ts).
//    This module gives the point fit (low = expected = high); jackknife.ts scales it to the interval.
// 5. A record for several components together (`covers`: a whole control plane) fits their sum; the sum is
//    split over the covered components in proportion to their prior expected values, unless a component has
//    records of its own, which then win.
// 6. A component or resource without records keeps its prior's expected values, and the fit says so
//    (`noEvidence`); jackknife.ts gives it a wide range by a stated assumption.
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import type { Component, MeshModel, ScalingDriver } from '../models/schema.js'
import type { Range } from '../schemas/common.js'

export type Resource = 'cpu' | 'memory'
export const RESOURCES: readonly Resource[] = ['cpu', 'memory']

/** A record with the id of its source, as the fit and the validation use it. */
export interface SourcedRecord { sourceId: string, record: EvidenceRecord }

/** Fitted coefficients of one resource of one component: cores, or MiB, per replica (slopes per driver unit). */
export interface FittedResource {
  base: Range
  slope?: { per: ScalingDriver, range: Range }
  /** evidence ids, "<source>/<record>", behind these figures */
  records: string[]
  sources: string[]
  /** how the figure was obtained; assumption: no evidence, the model file's expected value with a stated wide range */
  method: 'fit' | 'share-of-covered-sum' | 'assumption'
  /** the range as factors of the expected value (src/engine/jackknife.ts); the point fit has none */
  interval?: Interval
}

/** A prediction interval as factors of the expected value, and what it was built from. */
export interface Interval {
  /** the central share of leave-one-source-out ratios it spans */
  coverage: number
  low: number
  high: number
  /**
   * whose ratios: the component's own; its kind's (same role and scope, every mesh) when its own come from fewer
   * than three sources; its scope's (every sidecar, DaemonSet or Deployment) when its kind's do too; the resource's
   * (every component) after that; assumption: no evidence at all, the widest interval of its kind (else scope,
   * else resource) taken as a stated assumption
   */
  pool: 'component' | 'kind' | 'scope' | 'resource' | 'assumption'
  /** measured ÷ predicted ratios in the pool, and the sources they come from */
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

const median = (xs: number[]): number => {
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
 * A driver's value in a measured setup, or undefined when the setup does not give it. Sidecar benchmarks do not
 * state how many services each proxy saw (namespace isolation usually limits it), so per-service and
 * per-endpoint terms are unknown for sidecars; node and cluster components see the whole mesh.
 */
export function setupDriver (per: ScalingDriver, component: Component, record: EvidenceRecord): number | undefined {
  const s = record.setup
  switch (per) {
    case 'thousandRequestsPerSecond': return s.requestsPerSecond === undefined ? undefined : s.requestsPerSecond / 1000
    case 'meshedPod':
    case 'meshedPodPerReplica': return s.proxies ?? s.pods
    case 'clusterPod': return s.pods
    case 'visibleService': return component.scope === 'perPod' ? undefined : s.services
    case 'visibleEndpoint': return component.scope === 'perPod' ? undefined : s.pods
  }
}

/** Drivers a measurement's setup is expected to state (load and mesh size); per-service and per-endpoint
 * configuration terms are not, and count as zero where unknown (the base absorbs the benchmark's own). */
const LOAD_DRIVERS: ReadonlySet<ScalingDriver> = new Set(['thousandRequestsPerSecond', 'meshedPod', 'meshedPodPerReplica', 'clusterPod'])

/** Does the record's setup give every load driver the terms use? If not, the model cannot place it. */
export function placeable (component: Component, record: EvidenceRecord, terms: Array<{ per: ScalingDriver }>): boolean {
  return terms.every((t) => !LOAD_DRIVERS.has(t.per) || setupDriver(t.per, component, record) !== undefined)
}

/** The prior's term for a resource, in the fit's units per driver unit. */
export function priorTerms (component: Component, resource: Resource): Array<{ per: ScalingDriver, range: Range }> {
  const unit = resource === 'cpu' ? cpuCores : (q: string) => memoryGiB(q) * 1024
  return (component.usage.scaling ?? []).flatMap((term) => {
    const t = term[resource]
    return t === undefined ? [] : [{ per: term.per, range: { low: unit(t.low), expected: unit(t.expected), high: unit(t.high) } }]
  })
}

export function priorBase (component: Component, resource: Resource): Range {
  const unit = resource === 'cpu' ? cpuCores : (q: string) => memoryGiB(q) * 1024
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

const idOf = (r: SourcedRecord): string => `${r.sourceId}/${r.record.id}`

/**
 * Fits one resource of one component (or of a covered sum: `component` is then the prior that gives the
 * structure, here the sum of the covered components' bases with no slopes).
 */
function fitResource (component: Component, records: SourcedRecord[], resource: Resource, terms: Array<{ per: ScalingDriver, range: Range }>): FittedResource | undefined {
  const usable = records.filter((r) => measured(r.record, resource) !== undefined && placeable(component, r.record, terms))
  if (usable.length === 0) return undefined
  const y = (r: SourcedRecord): number => measured(r.record, resource) as number
  const x = (per: ScalingDriver, r: SourcedRecord): number | undefined => setupDriver(per, component, r.record)

  // 2. the slope: the first load term the records give; per source, Theil–Sen over two or more levels, or one
  //    level paired with the model file's idle base (x = 0)
  const idle = priorBase(component, resource).expected
  let slope: { per: ScalingDriver, expected: number, levels: number } | undefined
  for (const term of terms.filter((t) => LOAD_DRIVERS.has(t.per))) {
    const perSource: number[] = []
    let levels = 0
    for (const group of bySource(usable.filter((r) => isTypical(r.record) && (x(term.per, r) ?? 0) > 0)).values()) {
      const points = group.map((r) => ({ x: x(term.per, r) as number, y: y(r) }))
      const spread = theilSen(points)
      if (spread !== undefined) levels++
      if (spread !== undefined) perSource.push(spread)
      else if (term.per === 'thousandRequestsPerSecond') perSource.push(Math.max(0, median(points.map((p) => (p.y - idle) / p.x))))
    }
    if (perSource.length > 0) {
      slope = { per: term.per, expected: median(perSource), levels }
      break
    }
  }
  const fitted = slope
  const expectedTerms = terms.map((t) => ({ per: t.per, value: fitted !== undefined && t.per === fitted.per ? fitted.expected : t.range.expected }))

  // Records whose setup lacks a load driver of the model (requests per second, pods) cannot be placed: left out.
  const placed = usable
  const termsAt = (r: SourcedRecord): number => expectedTerms.reduce((sum, t) => sum + (x(t.per, r) ?? 0) * t.value, 0)

  // 3. the base from typical records; extremes set it only when a source published nothing typical
  const typical = placed.filter((r) => isTypical(r.record))
  const basis = typical.length > 0 ? typical : placed
  const sourceBases = [...bySource(basis).values()].map((group) => median(group.map((r) => y(r) - termsAt(r))))
  // With every source at one load level, base and slope cannot both be fitted: the model file's idle base stays.
  const base = fitted !== undefined && fitted.levels === 0 ? idle : Math.max(0, median(sourceBases))

  // 4. the range is the jackknife's (src/engine/jackknife.ts): the point fit has none
  const sources = [...new Set(placed.map((r) => r.sourceId))].sort()
  const scaled = (v: number): Range => ({ low: v, expected: v, high: v })
  return {
    base: scaled(base),
    ...(fitted === undefined ? {} : { slope: { per: fitted.per, range: scaled(fitted.expected) } }),
    records: placed.map(idOf).sort(),
    sources,
    method: 'fit'
  }
}

const round = (x: number): number => Number(x.toPrecision(4))
const roundRange = (r: Range): Range => ({ low: round(r.low), expected: round(r.expected), high: round(r.high) })
function rounded (f: FittedResource): FittedResource {
  return { ...f, base: roundRange(f.base), ...(f.slope === undefined ? {} : { slope: { per: f.slope.per, range: roundRange(f.slope.range) } }) }
}

/** Every record of one mesh in the evidence, with its source id. */
export function recordsOf (evidence: Iterable<EvidenceFile>, mesh: string): SourcedRecord[] {
  const out: SourcedRecord[] = []
  for (const file of evidence) for (const record of file.records) if (record.mesh === mesh) out.push({ sourceId: file.source.id, record })
  return out
}

/** Fits one mesh's components to its records. `prior` is the model file as written. */
export function fitMesh (prior: MeshModel, records: SourcedRecord[]): FittedMesh {
  const components: Record<string, FittedComponent> = {}
  const noEvidence: string[] = []
  const own = (id: string) => records.filter((r) => r.record.covers === undefined && r.record.component === id)
  const covered = records.filter((r) => r.record.covers !== undefined)

  for (const component of prior.components) {
    const fitted: FittedComponent = {}
    for (const resource of RESOURCES) {
      let result = fitResource(component, own(component.id), resource, priorTerms(component, resource))
      if (result === undefined) result = shareOfCoveredSum(prior, component, covered, resource)
      if (result === undefined) noEvidence.push(`${component.id}/${resource}`)
      else fitted[FIELD[resource]] = rounded(result)
    }
    if (Object.keys(fitted).length > 0) components[component.id] = fitted
  }
  return { mesh: prior.id, components, noEvidence }
}

/** 5. A covered sum (several components measured together), fitted as one and split by the prior's shares. */
function shareOfCoveredSum (prior: MeshModel, component: Component, covered: SourcedRecord[], resource: Resource): FittedResource | undefined {
  const groups = covered.filter((r) => r.record.covers?.includes(component.id) === true)
  if (groups.length === 0) return undefined
  const members = prior.components.filter((c) => groups[0]?.record.covers?.includes(c.id) === true)
  const sameGroup = groups.filter((r) => JSON.stringify([...(r.record.covers ?? [])].sort()) === JSON.stringify(members.map((c) => c.id).sort()))
  const sum = fitResource(component, sameGroup, resource, [])
  if (sum === undefined) return undefined
  const total = members.reduce((s, c) => s + priorBase(c, resource).expected, 0)
  const share = total > 0 ? priorBase(component, resource).expected / total : 1 / members.length
  const part = (r: Range): Range => ({ low: r.low * share, expected: r.expected * share, high: r.high * share })
  return { ...sum, base: part(sum.base), method: 'share-of-covered-sum' }
}

/** The point fit (steps 1–3, 5, 6) of every mesh in the catalog's priors: low = expected = high. */
export function fitPoints (priors: Iterable<MeshModel>, evidence: Iterable<EvidenceFile>): FittedMesh[] {
  const files = [...evidence]
  return [...priors].map((prior) => fitMesh(prior, recordsOf(files, prior.id)))
}
