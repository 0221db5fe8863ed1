// The ranges of the fitted figures: jackknife prediction intervals built from each engine's leave-one-source-out
// errors. Pure and deterministic. npm run generate writes fitAll's result to models/fitted/; GET /validation checks the
// intervals on sources they were not built from (src/engine/validation.ts nests this whole procedure).
//
// The rule, fixed before the validation figures of this method were looked at (docs/models.md says the same):
// 1. Leave each evidence source out in turn, fit every engine on the others (src/engine/fit.ts, the point fit),
//    and predict the left-out source's records from their setups: ratio = measured ÷ predicted expected value.
//    Typical and extreme statistics alike, so the high bound covers the extremes a source published.
//    Only figures predicted by a fit count: not those only the model file could predict, nor those whose setup
//    lacks a load driver, nor a fault (fit.ts rule 9), nor one that leans on a model-file term worked out from its
//    own source (`derivedFrom`). A record measuring several components together gives its ratio to each of them.
// 2. The pool for a component and resource is its engine's ratios (every mesh that runs it, and the engine outside
//    the meshes), if they come from at least MIN_SOURCES sources; never another engine's, kind's or scope's.
// 3. Each ratio belongs to the part of the prediction that carried it: the fitted slope's when the slope term is at
//    least half of the predicted value at the record's setup, the base's otherwise. The base (and every term the fit
//    did not set) takes the factors of the base's ratios, the slope those of the slope's, each from at least
//    MIN_SOURCES sources; a part with fewer takes the engine's whole pool. So a 50,000-pod measurement widens the
//    per-pod slope, not the base of a 100-pod cluster. A prediction's range combines the base's factors on its base
//    part and the slope's on its slope part as independent errors (src/engine/usage.ts fittedRange), in the
//    estimate and in GET /validation alike.
// 4. Factors span the central COVERAGE (90%) of their ratios: the 5th and the 95th percentile (linear interpolation
//    between order statistics, R's type 7), widened to include 1 so that expected is inside.
// 5. A component or resource whose engine has no interval takes, as a stated assumption, the widest interval
//    (greatest high ÷ low) among the evidenced components of its kind (role and scope); when its kind has none, of
//    its scope; when its scope has none, of the resource; around the model file's expected value.
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import type { Component, MeshModel } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import {
  engineStructure, FIELD, fitPoints, isFault, measured, placeable, pointAt, priorBase, priorTerms, RESOURCES, setupDriver, sourcedRecords,
  type EngineStructure, type Factors, type FittedComponent, type FittedMesh, type FittedResource, type Interval, type Resource, type SourcedRecord
} from './fit.js'

export const COVERAGE = 0.9
export const MIN_SOURCES = 3

/** The kind of a component, for the no-evidence assumption: its role and scope ("data-plane/perPod" is a sidecar proxy). */
export const kindOf = (c: Component): string => `${c.role}/${c.scope}`

/** One member of a prediction: a component (or, outside the models, the engine's structure) at the record's setup. */
export interface Member {
  component: Component
  engine: string
  /** the predicted expected value, in cores or MiB */
  expected: number
  /** of which the fitted slope term's share */
  slopePart: number
}

/** One left-out record's prediction by a fit on the other sources. */
export interface Prediction {
  source: string
  record: EvidenceRecord
  resource: Resource
  measured: number
  /** the components the figure covers */
  members: Member[]
  /**
   * fit: every member fitted from other sources; prior: some member only by the model file, or by a term worked out
   * from this very source; setup-incomplete: unplaceable; fault: the source reports the figure as a defect (fit.ts rule 9)
   */
  predictedBy: 'fit' | 'prior' | 'setup-incomplete' | 'fault'
}

/** A measured ÷ predicted ratio, attributed to one component's engine and to the part of the prediction that carried it. */
export interface Ratio { engine: string, mesh: string, component: string, resource: Resource, source: string, ratio: number, part: 'base' | 'slope' }

/** The expected value of a fitted resource at a record's setup, and the fitted slope's share of it. */
function memberAt (structure: EngineStructure, f: FittedResource | undefined, r: SourcedRecord, resource: Resource): { expected: number, slopePart: number } {
  if (f === undefined) return { expected: pointAt(structure, priorBase(structure.component, resource).expected, undefined, r), slopePart: 0 }
  const slope = f.slope === undefined ? undefined : { per: f.slope.per, expected: f.slope.range.expected }
  const expected = pointAt(structure, f.base.expected, slope, r)
  const slopePart = slope === undefined ? 0 : expected - pointAt(structure, f.base.expected, { per: slope.per, expected: 0 }, r)
  return { expected, slopePart }
}

const structureOf = (component: Component, resource: Resource): EngineStructure => ({ component, terms: priorTerms(component, resource) })

/** Leave each source out, fit the point models on the others, and predict its records. */
export function leaveOneSourceOut (priors: readonly MeshModel[], files: readonly EvidenceFile[]): Prediction[] {
  const out: Prediction[] = []
  const byMesh = new Map(priors.map((p) => [p.id, p]))
  const records = sourcedRecords(priors, files)
  for (const file of [...files].sort((a, b) => a.source.id.localeCompare(b.source.id))) {
    const fits = new Map(fitPoints(priors, files.filter((f) => f !== file)).map((f) => [f.mesh, f]))
    for (const r of records.filter((x) => x.sourceId === file.source.id)) {
      const record = r.record
      const prior = byMesh.get(record.mesh)
      for (const resource of RESOURCES) {
        const value = measured(record, resource)
        if (value === undefined) continue
        // Inside the models: the record's own components, with their adjustments. Outside: the engine's structure,
        // with the fit of the structure's own component less any adjustment of it.
        const members: Array<{ structure: EngineStructure, fitted: FittedResource | undefined }> = []
        if (prior !== undefined) {
          const ids = record.covers ?? [record.component]
          for (const component of prior.components.filter((c) => ids.includes(c.id))) {
            members.push({ structure: structureOf(component, resource), fitted: fits.get(prior.id)?.components[component.id]?.[FIELD[resource]] })
          }
        } else {
          const structure = engineStructure(priors, r.engine, resource)
          const mesh = priors.find((p) => p.components.includes(structure?.component as Component))
          const f = structure === undefined || mesh === undefined ? undefined : fits.get(mesh.id)?.components[structure.component.id]?.[FIELD[resource]]
          if (structure !== undefined) members.push({ structure, fitted: f === undefined ? undefined : unadjusted(f) })
        }
        if (members.length === 0) continue
        const byFit = members.every((m) => m.fitted !== undefined && m.fitted.method !== 'assumption' && !leansOn(file.source.id, m.structure.component, m.fitted, r, resource))
        const complete = members.every((m) => placeable(record, m.structure.terms))
        out.push({
          source: file.source.id,
          record,
          resource,
          measured: value,
          members: members.map((m) => ({ component: m.structure.component, engine: m.structure.component.engine, ...memberAt(m.structure, m.fitted, r, resource) })),
          predictedBy: isFault(r) ? 'fault' : !complete ? 'setup-incomplete' : byFit ? 'fit' : 'prior'
        })
      }
    }
  }
  return out
}

/** Does the prediction at the record's setup use a model-file term worked out from the held-out source itself? */
function leansOn (sourceId: string, component: Component, fitted: FittedResource, r: SourcedRecord, resource: Resource): boolean {
  if (component.usage[resource].derivedFrom?.includes(sourceId) === true) return true
  return (component.usage.scaling ?? []).some((t) => t[resource] !== undefined && t.per !== fitted.slope?.per &&
    t[resource]?.derivedFrom?.includes(sourceId) === true && (setupDriver(t.per, r.component?.scope ?? component.scope, r.record) ?? 0) > 0)
}

/** A component's fit without its per-mesh adjustment: the engine's own. */
function unadjusted (f: FittedResource): FittedResource {
  const k = f.adjustment?.factor ?? 1
  const by = (r: Range): Range => ({ low: r.low / k, expected: r.expected / k, high: r.high / k })
  return { ...f, base: by(f.base), ...(f.slope === undefined ? {} : { slope: { per: f.slope.per, range: by(f.slope.range) } }) }
}

/** The ratios the intervals are built from: figures predicted by a fit, with a prediction above zero. */
export function ratiosOf (predictions: readonly Prediction[]): Ratio[] {
  return predictions.flatMap((p) => {
    const predicted = p.members.reduce((sum, m) => sum + m.expected, 0)
    const slopePart = p.members.reduce((sum, m) => sum + m.slopePart, 0)
    if (p.predictedBy !== 'fit' || !(predicted > 0)) return []
    const part = slopePart >= predicted / 2 ? 'slope' as const : 'base' as const
    return p.members.map((m) => ({ engine: m.engine, mesh: p.record.mesh, component: m.component.id, resource: p.resource, source: p.source, ratio: p.measured / predicted, part }))
  })
}

/** The p-quantile of ascending values, interpolating linearly between order statistics (R's type 7). */
export function quantile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values')
  const h = (sorted.length - 1) * p
  const i = Math.floor(h)
  const a = sorted[i] as number
  const b = sorted[Math.min(i + 1, sorted.length - 1)] as number
  return a + (h - i) * (b - a)
}

const sourcesOf = (pool: readonly Ratio[]): number => new Set(pool.map((r) => r.source)).size

/** The central COVERAGE factors of a pool of ratios, widened to include 1. */
export function factorsOf (pool: readonly Ratio[]): Factors {
  const sorted = pool.map((r) => r.ratio).sort((a, b) => a - b)
  const tail = (1 - COVERAGE) / 2
  return { low: Math.min(1, quantile(sorted, tail)), high: Math.max(1, quantile(sorted, 1 - tail)), ratios: sorted.length, sources: sourcesOf(pool) }
}

/** The interval of an engine and resource from a set of ratios (rules 2–4); undefined under MIN_SOURCES sources. */
export function intervalFor (ratios: readonly Ratio[], engine: string, resource: Resource): Interval | undefined {
  const pool = ratios.filter((r) => r.engine === engine && r.resource === resource)
  if (sourcesOf(pool) < MIN_SOURCES) return undefined
  const whole = factorsOf(pool)
  const part = (which: Ratio['part']): Factors => {
    const mine = pool.filter((r) => r.part === which)
    return sourcesOf(mine) >= MIN_SOURCES ? factorsOf(mine) : whole
  }
  const base = part('base')
  return { coverage: COVERAGE, low: base.low, high: base.high, slope: part('slope'), pool: 'engine', ratios: whole.ratios, sources: whole.sources }
}

const round = (x: number): number => Number(x.toPrecision(4))
const scaleRange = (r: Range, f: { low: number, high: number }): Range => ({ low: round(r.expected * f.low), expected: r.expected, high: round(r.expected * f.high) })
const roundFactors = <T extends { low: number, high: number }>(f: T): T => ({ ...f, low: round(f.low), high: round(f.high) })
const roundInterval = (i: Interval): Interval => ({ ...roundFactors(i), ...(i.slope === undefined ? {} : { slope: roundFactors(i.slope) }) })
const width = (i: Interval): number => Math.max(i.high / i.low, i.slope === undefined ? 0 : i.slope.high / i.slope.low)

/**
 * The widest interval among evidenced components of the kind (else of the scope, else of the resource), for
 * a component without evidence (rule 5). `intervals` holds every evidenced component's, keyed mesh/component.
 */
export function assumedInterval (intervals: ReadonlyArray<{ key: string, kind: string, resource: Resource, interval: Interval }>, component: Component, resource: Resource): Interval | undefined {
  const same = intervals.filter((i) => i.resource === resource)
  const ofKind = same.filter((i) => i.kind === kindOf(component))
  const ofScope = same.filter((i) => i.kind.endsWith(`/${component.scope}`))
  const candidates = ofKind.length > 0 ? ofKind : ofScope.length > 0 ? ofScope : same
  const widest = [...candidates].sort((a, b) => width(b.interval) - width(a.interval) || a.key.localeCompare(b.key))[0]
  if (widest === undefined) return undefined
  const { slope: _slope, ...whole } = widest.interval
  // Taken whole: the widest of its base's and its slope's factors, since the component has no slope of its own.
  const w = widest.interval.slope !== undefined && widest.interval.slope.high / widest.interval.slope.low > whole.high / whole.low ? widest.interval.slope : whole
  return { ...whole, low: w.low, high: w.high, pool: 'assumption', like: widest.key }
}

/** Applies an interval to a point-fitted resource: the base by the base's factors, the slope by the slope's. */
function withInterval (f: FittedResource, interval: Interval): FittedResource {
  const i = roundInterval(interval)
  return { ...f, base: scaleRange(f.base, i), ...(f.slope === undefined ? {} : { slope: { per: f.slope.per, range: scaleRange(f.slope.range, i.slope ?? i) } }), interval: i }
}

/** Every evidenced component's interval, keyed mesh/component, for rule 5. */
type Evidenced = Array<{ key: string, kind: string, resource: Resource, interval: Interval }>

/**
 * The interval of each component and resource a set of ratios gives: its engine's (rules 2–4), or, when its engine
 * has too few sources, the widest of its kind's evidenced components (rule 5). The fit and the validation both
 * read their intervals here, so that what is validated is what is served.
 */
export function intervalResolver (priors: readonly MeshModel[], ratios: readonly Ratio[]): (component: Component, resource: Resource) => Interval | undefined {
  const evidenced: Evidenced = []
  for (const prior of priors) {
    for (const component of prior.components) {
      for (const resource of RESOURCES) {
        const interval = intervalFor(ratios, component.engine, resource)
        if (interval !== undefined) evidenced.push({ key: `${prior.id}/${component.id}`, kind: kindOf(component), resource, interval })
      }
    }
  }
  return (component, resource) => intervalFor(ratios, component.engine, resource) ?? assumedInterval(evidenced, component, resource)
}

/** The intervals a set of ratios gives every point-fitted figure, and the assumption for every figure without evidence. */
export function withIntervals (priors: readonly MeshModel[], points: readonly FittedMesh[], ratios: readonly Ratio[]): FittedMesh[] {
  const byMesh = new Map(priors.map((p) => [p.id, p]))
  const resolve = intervalResolver(priors, ratios)
  return points.map((mesh): FittedMesh => {
    const prior = byMesh.get(mesh.mesh) as MeshModel
    const components: Record<string, FittedComponent> = {}
    for (const component of prior.components) {
      const figures: FittedComponent = { ...mesh.components[component.id] }
      for (const resource of RESOURCES) {
        const interval = resolve(component, resource)
        if (interval === undefined) continue
        const expected = round(priorBase(component, resource).expected)
        // no evidence: the model file's expected value, with the assumed interval
        const f = figures[FIELD[resource]] ?? { engine: component.engine, base: { low: expected, expected, high: expected }, records: [], sources: [], method: 'assumption' }
        figures[FIELD[resource]] = withInterval(f, interval)
      }
      if (Object.keys(figures).length > 0) components[component.id] = figures
    }
    return { ...mesh, components }
  })
}

/** npm run generate's fit: the point fit of every mesh on all the evidence, with jackknife intervals and no-evidence assumptions. */
export function fitAll (priors: Iterable<MeshModel>, evidence: Iterable<EvidenceFile>): FittedMesh[] {
  const models = [...priors]
  const files = [...evidence]
  return withIntervals(models, fitPoints(models, files), ratiosOf(leaveOneSourceOut(models, files)))
}
