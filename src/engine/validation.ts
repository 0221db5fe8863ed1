// Leave-one-source-out: for each evidence source, fit every model without it (src/engine/fit.ts), predict that
// source's records from their setups, and compare. The prediction check of the models, unlike the calibrations,
// which only guard arithmetic. Pure and deterministic; GET /validation serves it, docs/validation.svg plots it.
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import type { MeshModel } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import type { Resource } from './fit.js'
import { COVERAGE, intervalFor, leaveOneSourceOut, MIN_SOURCES, ratiosOf, type Prediction, type Ratio } from './jackknife.js'
import { addRanges, ZERO_RANGE as ZERO } from '../units.js'

export interface ValidationRow {
  source: string
  record: string
  mesh: string
  component: string
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
   */
  predictedBy: 'fit' | 'prior' | 'setup-incomplete'
}

export interface ValidationTally {
  figures: number
  within2x: number
  insideRange: number
  shareWithin2x: number | null
  shareInsideRange: number | null
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
  targets: { shareWithin2x: number, shareInsideRange: number }
  /** the prediction intervals' rule: central coverage, and the sources a component's own pool needs */
  interval: { coverage: number, minSources: number }
  summary: ValidationTally & { sources: number, priorOnly: number, setupIncomplete: number }
  components: ComponentValidation[]
  rows: ValidationRow[]
}

export const TARGETS = { shareWithin2x: 0.75, shareInsideRange: 0.8 } as const

const METHOD = 'Leave-one-source-out: for each evidence source, every model is fitted again without it (npm run fit\'s method, ' +
  'src/engine/fit.ts) and predicts that source\'s figures from their setups: factor = measured ÷ predicted expected value, ' +
  'for typical (mean, median) and extreme (p90, p99, max) figures alike, and within 2× is the point prediction\'s check. The range [low, high] ' +
  'is the jackknife prediction interval (src/engine/jackknife.ts) built, nested, from the other sources only: with the source ' +
  'left out, each remaining source is left out in turn and its errors pooled, so no figure is checked against an interval its ' +
  'own source helped build. Figures no other source measured are predicted by the model file alone, and figures whose setup ' +
  'lacks a load driver the model needs (requests per second, pods) cannot be placed: both are listed and left out of the tallies.'

const tally = (rows: ValidationRow[]): ValidationTally => {
  const within2x = rows.filter((r) => r.within2x).length
  const insideRange = rows.filter((r) => r.insideRange).length
  return {
    figures: rows.length,
    within2x,
    insideRange,
    shareWithin2x: rows.length === 0 ? null : within2x / rows.length,
    shareInsideRange: rows.length === 0 ? null : insideRange / rows.length
  }
}

const sig = (x: number): number => Number(x.toPrecision(4))

export function validate (priors: ReadonlyMap<string, MeshModel>, evidence: ReadonlyMap<string, EvidenceFile>): Validation {
  const models = [...priors.values()]
  const files = [...evidence.values()]
  const outer = leaveOneSourceOut(models, files)
  const rows: ValidationRow[] = []
  for (const held of [...new Set(outer.map((p) => p.source))]) {
    // The nested (inner) jackknife: the intervals from the other sources' leave-one-source-out errors only.
    const inner = ratiosOf(leaveOneSourceOut(models, files.filter((f) => f.source.id !== held)))
    for (const p of outer.filter((x) => x.source === held)) rows.push(rowOf(p, inner))
  }
  const validated = rows.filter((r) => r.predictedBy === 'fit')
  const keys = [...new Set(rows.map((r) => `${r.mesh}\u0000${r.component}\u0000${r.resource}`))].sort()
  const components = keys.map((key): ComponentValidation => {
    const [mesh, component, resource] = key.split('\u0000') as [string, string, Resource]
    const mine = rows.filter((r) => r.mesh === mesh && r.component === component && r.resource === resource)
    return { mesh, component, resource, ...tally(mine.filter((r) => r.predictedBy === 'fit')), priorOnly: mine.filter((r) => r.predictedBy === 'prior').length, setupIncomplete: mine.filter((r) => r.predictedBy === 'setup-incomplete').length }
  })
  return {
    method: METHOD,
    targets: { ...TARGETS },
    interval: { coverage: COVERAGE, minSources: MIN_SOURCES },
    summary: { ...tally(validated), sources: evidence.size, priorOnly: rows.filter((r) => r.predictedBy === 'prior').length, setupIncomplete: rows.filter((r) => r.predictedBy === 'setup-incomplete').length },
    components,
    rows
  }
}

/** One figure's row: the point prediction of the fit without its source, with the interval the other sources' errors give. */
function rowOf (p: Prediction, inner: readonly Ratio[]): ValidationRow {
  const record = p.record
  const predicted = p.members.reduce((sum, m) => {
    const i = intervalFor(inner, record.mesh, m.component, p.resource)
    return addRanges(sum, { low: m.expected * (i?.low ?? 1), expected: m.expected, high: m.expected * (i?.high ?? 1) })
  }, ZERO)
  const factor = predicted.expected > 0 ? p.measured / predicted.expected : Number.POSITIVE_INFINITY
  return {
    source: p.source,
    record: record.id,
    mesh: record.mesh,
    component: record.component,
    ...(record.covers === undefined ? {} : { covers: record.covers }),
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
