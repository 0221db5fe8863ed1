// Leave-one-source-out: for each evidence source, fit every model without it (src/engine/fit.ts), predict that
// source's records from their setups, and compare. The prediction check of the models, unlike the calibrations,
// which only guard arithmetic. Pure and deterministic; GET /validation serves it, docs/validation.svg plots it.
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import type { MeshModel } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import type { Resource } from './fit.js'
import { COVERAGE, intervalResolver, leaveOneSourceOut, MIN_SOURCES, ratiosOf, type Prediction } from './jackknife.js'
import type { Interval } from './fit.js'
import type { Component } from '../models/schema.js'
import { median } from './fit.js'
import { addRanges, ZERO_RANGE as ZERO } from '../units.js'
import { fittedRange } from './usage.js'

export interface ValidationRow {
  source: string
  record: string
  mesh: string
  component: string
  /** the engine that ran: the unit of the fit and of its interval */
  engine: string
  /** the components the measured figure sums, when it covers several */
  covers?: string[]
  resource: Resource
  unit: 'cores' | 'MiB'
  statistic: EvidenceRecord['statistic']
  measured: number
  /** the model fitted without this source, at the record's setup */
  predicted: Range
  /** measured ÷ predicted expected value, for every statistic: the point prediction's error, which the range does not
   * change; extremes (p90, p99, max) are meant to fall inside [low, high], whose high bound their errors helped set */
  factor: number
  within2x: boolean
  insideRange: boolean
  /**
   * fit: the figures came from other sources' records. prior: no other source measured this component and
   * resource, so the model file's own figure predicted it; such rows are listed but left out of the summary,
   * since that figure may come from the very publication being predicted. setup-incomplete: the record's setup
   * lacks a load driver the model needs (requests per second, pods), so it cannot be placed; listed, not counted.
   * fault: the source reports a defect (a crash, an eviction, a leak); no fit uses it; tallied apart (summary.faults).
   */
  predictedBy: 'fit' | 'prior' | 'setup-incomplete' | 'fault'
  /** the defect the figure measures (fit.ts rule 9) */
  fault?: string
}

export interface ValidationTally {
  figures: number
  within2x: number
  insideRange: number
  shareWithin2x: number | null
  shareInsideRange: number | null
  /** high ÷ low of the predicted ranges: the median and the largest (sharpness; null without figures) */
  medianWidth: number | null
  maxWidth: number | null
  /**
   * The mean interval score of the 90% ranges on a log2 scale (Gneiting & Raftery 2007, eq. 43, of log2 values):
   * width in doublings, plus 2 ÷ 0.1 = 20 × the doublings by which a figure falls outside. Lower is better; it
   * rewards ranges that are narrow and cover, and punishes both wide and missing ones.
   */
  intervalScore: number | null
}

export interface EngineValidation extends ValidationTally {
  engine: string
  resource: Resource
}

export interface ComponentValidation extends ValidationTally {
  mesh: string
  component: string
  resource: Resource
  /** figures predicted by the model file alone (no other source), not in the tallies */
  priorOnly: number
  /** figures whose setup lacks a load driver the model needs, not in the tallies */
  setupIncomplete: number
}

export interface Validation {
  method: string
  targets: { shareWithin2x: number, shareInsideRange: number, medianWidth: number, maxWidth: number }
  /** the prediction intervals' rule: central coverage, and the sources a component's own pool needs */
  interval: { coverage: number, minSources: number }
  summary: ValidationTally & { sources: number, priorOnly: number, setupIncomplete: number, faults: ValidationTally }
  /** per engine and resource: the unit each interval is built for */
  engines: EngineValidation[]
  components: ComponentValidation[]
  rows: ValidationRow[]
}

export const TARGETS = { shareWithin2x: 0.75, shareInsideRange: 0.8, medianWidth: 4, maxWidth: 20 } as const

const METHOD = 'Leave-one-source-out: for each evidence source, every model is fitted again without it (the method of npm run generate\'s fit, ' +
  'src/engine/fit.ts) and predicts that source\'s figures from their setups: factor = measured ÷ predicted expected value, ' +
  'for typical (mean, median) and extreme (p90, p99, max) figures alike, and within 2× is the point prediction\'s check. The range [low, high] ' +
  'is the jackknife prediction interval (src/engine/jackknife.ts) built, nested, from the other sources only: with the source ' +
  'left out, each remaining source is left out in turn and its errors pooled, so no figure is checked against an interval its ' +
  'own source helped build. Figures no other source measured are predicted by the model file alone, and figures whose setup ' +
  'lacks a load driver the model needs (requests per second, pods) cannot be placed: both are listed and left out of the tallies. ' +
  'Figures their sources report as defects (a crash, an eviction, a leak, a connection storm) are predicted as the working cost ' +
  'would be and tallied apart (summary.faults): no fit or interval uses them.'

const sig = (x: number): number => Number(x.toPrecision(4))

const ALPHA = 1 - COVERAGE
/** One figure's interval score on a log2 scale (see ValidationTally.intervalScore); a zero bound counts as 1e-9 of the unit. */
export function logIntervalScore (low: number, high: number, measured: number): number {
  const l = Math.log2(Math.max(low, 1e-9))
  const u = Math.log2(Math.max(high, 1e-9))
  const y = Math.log2(Math.max(measured, 1e-9))
  return (u - l) + (2 / ALPHA) * Math.max(0, l - y) + (2 / ALPHA) * Math.max(0, y - u)
}

const widthOf = (r: ValidationRow): number => r.predicted.low > 0 ? r.predicted.high / r.predicted.low : Number.POSITIVE_INFINITY

const tally = (rows: ValidationRow[]): ValidationTally => {
  const within2x = rows.filter((r) => r.within2x).length
  const insideRange = rows.filter((r) => r.insideRange).length
  const widths = rows.map(widthOf)
  const finite = (x: number): number => Number.isFinite(x) ? sig(x) : -1
  return {
    figures: rows.length,
    within2x,
    insideRange,
    shareWithin2x: rows.length === 0 ? null : within2x / rows.length,
    shareInsideRange: rows.length === 0 ? null : insideRange / rows.length,
    medianWidth: rows.length === 0 ? null : finite(median(widths)),
    maxWidth: rows.length === 0 ? null : finite(Math.max(...widths)),
    intervalScore: rows.length === 0 ? null : sig(rows.reduce((sum, r) => sum + logIntervalScore(r.predicted.low, r.predicted.high, r.measured), 0) / rows.length)
  }
}

export function validate (priors: ReadonlyMap<string, MeshModel>, evidence: ReadonlyMap<string, EvidenceFile>): Validation {
  const models = [...priors.values()]
  const files = [...evidence.values()]
  const outer = leaveOneSourceOut(models, files)
  const rows: ValidationRow[] = []
  for (const held of [...new Set(outer.map((p) => p.source))]) {
    // The nested (inner) jackknife: the intervals from the other sources' leave-one-source-out errors only.
    const inner = intervalResolver(models, ratiosOf(leaveOneSourceOut(models, files.filter((f) => f.source.id !== held))))
    for (const p of outer.filter((x) => x.source === held)) rows.push(rowOf(p, inner))
  }
  const validated = rows.filter((r) => r.predictedBy === 'fit')
  const keys = [...new Set(rows.map((r) => `${r.mesh}\u0000${r.component}\u0000${r.resource}`))].sort()
  const components = keys.map((key): ComponentValidation => {
    const [mesh, component, resource] = key.split('\u0000') as [string, string, Resource]
    const mine = rows.filter((r) => r.mesh === mesh && r.component === component && r.resource === resource)
    return { mesh, component, resource, ...tally(mine.filter((r) => r.predictedBy === 'fit')), priorOnly: mine.filter((r) => r.predictedBy === 'prior').length, setupIncomplete: mine.filter((r) => r.predictedBy === 'setup-incomplete').length }
  })
  const engineKeys = [...new Set(validated.map((r) => `${r.engine}\u0000${r.resource}`))].sort()
  const engines = engineKeys.map((key): EngineValidation => {
    const [engine, resource] = key.split('\u0000') as [string, Resource]
    return { engine, resource, ...tally(validated.filter((r) => r.engine === engine && r.resource === resource)) }
  })
  return {
    method: METHOD,
    targets: { ...TARGETS },
    interval: { coverage: COVERAGE, minSources: MIN_SOURCES },
    summary: {
      ...tally(validated),
      sources: evidence.size,
      priorOnly: rows.filter((r) => r.predictedBy === 'prior').length,
      setupIncomplete: rows.filter((r) => r.predictedBy === 'setup-incomplete').length,
      faults: tally(rows.filter((r) => r.predictedBy === 'fault'))
    },
    engines,
    components,
    rows
  }
}

/**
 * One figure's row: the point prediction of the fit without its source, with the interval the other sources' errors
 * give its engine: the base's and the slope's errors combined (usage.ts fittedRange), as served.
 */
function rowOf (p: Prediction, inner: (component: Component, resource: Resource) => Interval | undefined): ValidationRow {
  const record = p.record
  const predicted = p.members.reduce((sum, m) => {
    const i = inner(m.component, p.resource)
    const r = i === undefined ? { low: m.expected, high: m.expected } : fittedRange(i, m.expected, m.slopePart)
    return addRanges(sum, { low: r.low, expected: m.expected, high: r.high })
  }, ZERO)
  const factor = predicted.expected > 0 ? p.measured / predicted.expected : Number.POSITIVE_INFINITY
  return {
    source: p.source,
    record: record.id,
    mesh: record.mesh,
    component: record.component,
    engine: p.members[0]?.engine ?? '',
    ...(record.covers === undefined ? {} : { covers: record.covers }),
    ...(record.fault === undefined ? {} : { fault: record.fault }),
    resource: p.resource,
    unit: p.resource === 'cpu' ? 'cores' : 'MiB',
    statistic: record.statistic,
    measured: p.measured,
    predicted: { low: sig(predicted.low), expected: sig(predicted.expected), high: sig(predicted.high) },
    factor: Number.isFinite(factor) ? sig(factor) : -1,
    within2x: factor >= 0.5 && factor <= 2,
    insideRange: p.measured >= predicted.low * (1 - 1e-9) && p.measured <= predicted.high * (1 + 1e-9),
    predictedBy: p.predictedBy
  }
}
