// The ranges of the fitted figures: jackknife prediction intervals built from the leave-one-source-out errors.
// Pure and deterministic. npm run fit writes fitAll's result to models/fitted/; GET /validation checks the
// intervals on sources they were not built from (src/engine/validation.ts nests this whole procedure).
//
// The rule, fixed before any validation figure was looked at (docs/models.md says the same):
// 1. Leave each evidence source out in turn, fit every model on the others (src/engine/fit.ts, the point fit),
//    and predict the left-out source's records from their setups: ratio = measured ÷ predicted expected value.
//    Typical and extreme statistics alike, so the high bound covers the extremes a source published.
//    Only figures predicted by a fit count: not those only the model file could predict, nor those whose setup
//    lacks a load driver. A record measuring several components together gives its ratio to each of them.
// 2. The pool for a component and resource: its own ratios, if they come from at least MIN_SOURCES sources;
//    else the ratios of every component of its kind (same role and scope, every mesh: sidecar proxies, node
//    proxies, control planes...), if those do; else of every component of its scope (every sidecar, every
//    DaemonSet, every Deployment); else every component's ratios for that resource.
// 3. The interval spans the central COVERAGE (90%) of the pool: the 5th and the 95th percentile (linear
//    interpolation between order statistics, R's type 7), widened to include 1 so that expected is inside it.
//    Every ratio counts once: a source with many records weighs more.
// 4. A component or resource without evidence takes, as a stated assumption, the widest interval (greatest
//    high ÷ low) among the evidenced components of its kind; when its kind has none, of its scope; when its
//    scope has none, of the resource; around the model file's expected value.
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import { applyFitted, type FittedMeshFile } from '../models/fitted.js'
import type { Component, MeshModel } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import { FIELD, fitPoints, measured, placeable, priorBase, priorTerms, RESOURCES, setupDriver, type FittedMesh, type FittedResource, type Interval, type Resource } from './fit.js'
import { usageWith } from './usage.js'

export const COVERAGE = 0.9
export const MIN_SOURCES = 3

/** The kind of a component, for pooling: its role and scope ("data-plane/perPod" is a sidecar proxy). */
export const kindOf = (c: Component): string => `${c.role}/${c.scope}`

/** One left-out record's prediction by a fit on the other sources. */
export interface Prediction {
  source: string
  record: EvidenceRecord
  resource: Resource
  measured: number
  /** the components the figure covers, each with its predicted expected value at the record's setup */
  members: Array<{ component: Component, expected: number, range: Range }>
  /** fit: every member fitted from other sources; prior: some member only by the model file; setup-incomplete: unplaceable */
  predictedBy: 'fit' | 'prior' | 'setup-incomplete'
}

/** A measured ÷ predicted ratio, attributed to one component. */
export interface Ratio { mesh: string, component: string, kind: string, scope: string, resource: Resource, source: string, ratio: number }

const asFile = (fitted: FittedMesh): FittedMeshFile => ({ schemaVersion: 1, mesh: fitted.mesh, components: fitted.components, noEvidence: fitted.noEvidence })

/** One replica's usage at a measured setup, in cores or MiB; drivers the setup does not give count as zero. */
function predictComponent (component: Component, record: EvidenceRecord, resource: Resource): Range {
  const usage = usageWith(component.usage, (per) => setupDriver(per, component, record) ?? 0)
  const r = resource === 'cpu' ? usage.cpuCores : usage.memoryGiB
  const scale = resource === 'cpu' ? 1 : 1024
  return { low: r.low * scale, expected: r.expected * scale, high: r.high * scale }
}

/** Leave each source out, fit the point models on the others, and predict its records. */
export function leaveOneSourceOut (priors: readonly MeshModel[], files: readonly EvidenceFile[]): Prediction[] {
  const out: Prediction[] = []
  const byMesh = new Map(priors.map((p) => [p.id, p]))
  for (const file of [...files].sort((a, b) => a.source.id.localeCompare(b.source.id))) {
    const fits = new Map(fitPoints(priors, files.filter((f) => f !== file)).map((f) => [f.mesh, f]))
    for (const record of file.records) {
      const prior = byMesh.get(record.mesh)
      const fitted = fits.get(record.mesh)
      if (prior === undefined || fitted === undefined) continue
      const model = applyFitted(prior, asFile(fitted), new Map())
      const ids = record.covers ?? [record.component]
      const components = model.components.filter((c) => ids.includes(c.id))
      for (const resource of RESOURCES) {
        const value = measured(record, resource)
        if (value === undefined || components.length === 0) continue
        const byFit = ids.every((id) => fitted.components[id]?.[FIELD[resource]] !== undefined)
        const complete = components.every((c) => placeable(c, record, priorTerms(c, resource)))
        out.push({
          source: file.source.id,
          record,
          resource,
          measured: value,
          members: components.map((component) => {
            const range = predictComponent(component, record, resource)
            return { component, expected: range.expected, range }
          }),
          predictedBy: !complete ? 'setup-incomplete' : byFit ? 'fit' : 'prior'
        })
      }
    }
  }
  return out
}

/** The ratios the intervals are built from: figures predicted by a fit, with a prediction above zero. */
export function ratiosOf (predictions: readonly Prediction[]): Ratio[] {
  return predictions.flatMap((p) => {
    const predicted = p.members.reduce((sum, m) => sum + m.expected, 0)
    if (p.predictedBy !== 'fit' || !(predicted > 0)) return []
    return p.members.map((m) => ({ mesh: p.record.mesh, component: m.component.id, kind: kindOf(m.component), scope: m.component.scope, resource: p.resource, source: p.source, ratio: p.measured / predicted }))
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

/** The central COVERAGE interval of a pool of ratios, widened to include 1. */
export function intervalOfRatios (pool: readonly Ratio[], kind: Interval['pool']): Interval {
  const sorted = pool.map((r) => r.ratio).sort((a, b) => a - b)
  const tail = (1 - COVERAGE) / 2
  return {
    coverage: COVERAGE,
    low: Math.min(1, quantile(sorted, tail)),
    high: Math.max(1, quantile(sorted, 1 - tail)),
    pool: kind,
    ratios: sorted.length,
    sources: new Set(pool.map((r) => r.source)).size
  }
}

/** The interval of one component and resource from a set of ratios, by the pooling rule (2). */
export function intervalFor (ratios: readonly Ratio[], mesh: string, component: Component, resource: Resource): Interval | undefined {
  const mine = ratios.filter((r) => r.resource === resource)
  const tiers: Array<[Interval['pool'], Ratio[]]> = [
    ['component', mine.filter((r) => r.mesh === mesh && r.component === component.id)],
    ['kind', mine.filter((r) => r.kind === kindOf(component))],
    ['scope', mine.filter((r) => r.scope === component.scope)],
    ['resource', mine]
  ]
  for (const [pool, rs] of tiers) if (new Set(rs.map((r) => r.source)).size >= MIN_SOURCES) return intervalOfRatios(rs, pool)
  return mine.length === 0 ? undefined : intervalOfRatios(mine, 'resource')
}

const round = (x: number): number => Number(x.toPrecision(4))
const scaleRange = (r: Range, i: Interval): Range => ({ low: round(r.expected * i.low), expected: r.expected, high: round(r.expected * i.high) })
const roundInterval = (i: Interval): Interval => ({ ...i, low: round(i.low), high: round(i.high) })
const width = (i: Interval): number => i.high / i.low

/**
 * The widest interval among evidenced components of the kind (else of the scope, else of the resource), for
 * a component without evidence (rule 4). `intervals` holds every evidenced component's, keyed mesh/component.
 */
export function assumedInterval (intervals: ReadonlyArray<{ key: string, kind: string, resource: Resource, interval: Interval }>, component: Component, resource: Resource): Interval | undefined {
  const same = intervals.filter((i) => i.resource === resource)
  const ofKind = same.filter((i) => i.kind === kindOf(component))
  const ofScope = same.filter((i) => i.kind.endsWith(`/${component.scope}`))
  const candidates = ofKind.length > 0 ? ofKind : ofScope.length > 0 ? ofScope : same
  const widest = [...candidates].sort((a, b) => width(b.interval) - width(a.interval) || a.key.localeCompare(b.key))[0]
  return widest === undefined ? undefined : { ...widest.interval, pool: 'assumption', like: widest.key }
}

/** Applies an interval to a point-fitted resource. */
function withInterval (f: FittedResource, interval: Interval): FittedResource {
  const i = roundInterval(interval)
  return { ...f, base: scaleRange(f.base, i), ...(f.slope === undefined ? {} : { slope: { per: f.slope.per, range: scaleRange(f.slope.range, i) } }), interval: i }
}

/** The intervals a set of ratios gives every point-fitted figure, and the assumption for every figure without evidence. */
export function withIntervals (priors: readonly MeshModel[], points: readonly FittedMesh[], ratios: readonly Ratio[]): FittedMesh[] {
  const byMesh = new Map(priors.map((p) => [p.id, p]))
  const evidenced: Array<{ key: string, kind: string, resource: Resource, interval: Interval }> = []
  const fitted = points.map((mesh): FittedMesh => {
    const prior = byMesh.get(mesh.mesh) as MeshModel
    const components = Object.fromEntries(Object.entries(mesh.components).map(([id, figures]) => {
      const component = prior.components.find((c) => c.id === id) as Component
      const out = { ...figures }
      for (const resource of RESOURCES) {
        const f = figures[FIELD[resource]]
        const interval = f === undefined ? undefined : intervalFor(ratios, mesh.mesh, component, resource)
        if (f === undefined || interval === undefined) continue
        out[FIELD[resource]] = withInterval(f, interval)
        evidenced.push({ key: `${mesh.mesh}/${id}`, kind: kindOf(component), resource, interval })
      }
      return [id, out]
    }))
    return { ...mesh, components }
  })
  // 4. no evidence: the widest interval of the kind, around the model file's expected value
  return fitted.map((mesh): FittedMesh => {
    const prior = byMesh.get(mesh.mesh) as MeshModel
    const components = { ...mesh.components }
    for (const entry of mesh.noEvidence) {
      const [id, resource] = entry.split('/') as [string, Resource]
      const component = prior.components.find((c) => c.id === id) as Component
      const interval = assumedInterval(evidenced, component, resource)
      if (interval === undefined) continue
      const expected = round(priorBase(component, resource).expected)
      const base: FittedResource = { base: { low: expected, expected, high: expected }, records: [], sources: [], method: 'assumption' }
      components[id] = { ...components[id], [FIELD[resource]]: withInterval(base, interval) }
    }
    return { ...mesh, components }
  })
}

/** npm run fit: the point fit of every mesh on all the evidence, with jackknife intervals and no-evidence assumptions. */
export function fitAll (priors: Iterable<MeshModel>, evidence: Iterable<EvidenceFile>): FittedMesh[] {
  const models = [...priors]
  const files = [...evidence]
  return withIntervals(models, fitPoints(models, files), ratiosOf(leaveOneSourceOut(models, files)))
}
