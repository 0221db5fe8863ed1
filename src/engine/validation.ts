// Leave-one-source-out: for each evidence source, fit every model without it (src/engine/fit.ts), predict that
// source's records from their setups, and compare. The prediction check of the models, unlike the calibrations,
// which only guard arithmetic. Pure and deterministic; GET /validation serves it, docs/validation.svg plots it.
import type { EvidenceFile, EvidenceRecord } from '../models/evidence-schema.js'
import { applyFitted, type FittedMeshFile } from '../models/fitted.js'
import type { Component, MeshModel } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import { FIELD, fitAll, isTypical, measured, placeable, priorTerms, RESOURCES, setupDriver, type FittedMesh, type Resource } from './fit.js'
import { addRanges, ZERO_RANGE as ZERO } from '../units.js'
import { usageWith } from './usage.js'

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
  /** typical figures (mean, median) are compared with the expected value, extremes (p90, p99, max) with high */
  comparedWith: 'expected' | 'high'
  /** measured ÷ predicted */
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
  summary: ValidationTally & { sources: number, priorOnly: number, setupIncomplete: number }
  components: ComponentValidation[]
  rows: ValidationRow[]
}

export const TARGETS = { shareWithin2x: 0.75, shareInsideRange: 0.8 } as const

const METHOD = 'Leave-one-source-out: for each evidence source, every model is fitted again without it (npm run fit\'s method, ' +
  'src/engine/fit.ts) and predicts that source\'s figures from their setups. Typical figures (mean, median) are compared ' +
  'with the expected value, extremes (p90, p99, max) with the high bound; factor = measured ÷ predicted. Figures no ' +
  'other source measured are predicted by the model file alone, and figures whose setup lacks a load driver the model needs ' +
  '(requests per second, pods) cannot be placed: both are listed and left out of the tallies.'

function asFile (fitted: FittedMesh): FittedMeshFile {
  return { schemaVersion: 1, mesh: fitted.mesh, components: fitted.components, noEvidence: fitted.noEvidence }
}

/** One replica's usage at a measured setup, in cores or MiB; drivers the setup does not give count as zero. */
function predictComponent (component: Component, record: EvidenceRecord, resource: Resource): Range {
  const usage = usageWith(component.usage, (per) => setupDriver(per, component, record) ?? 0)
  const r = resource === 'cpu' ? usage.cpuCores : usage.memoryGiB
  const scale = resource === 'cpu' ? 1 : 1024
  return { low: r.low * scale, expected: r.expected * scale, high: r.high * scale }
}

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
  const rows: ValidationRow[] = []
  const sourceIds = [...evidence.keys()].sort()
  for (const held of sourceIds) {
    const file = evidence.get(held) as EvidenceFile
    const others = [...evidence.values()].filter((f) => f.source.id !== held)
    const fits = new Map(fitAll(priors.values(), others).map((f) => [f.mesh, f]))
    for (const record of file.records) {
      const prior = priors.get(record.mesh)
      const fitted = fits.get(record.mesh)
      if (prior === undefined || fitted === undefined) continue
      const model = applyFitted(prior, asFile(fitted), evidence)
      const ids = record.covers ?? [record.component]
      const members = model.components.filter((c) => ids.includes(c.id))
      for (const resource of RESOURCES) {
        const value = measured(record, resource)
        if (value === undefined || members.length === 0) continue
        const predicted = members.reduce((sum, c) => addRanges(sum, predictComponent(c, record, resource)), ZERO)
        const comparedWith = isTypical(record) ? 'expected' : 'high'
        const point = predicted[comparedWith]
        const factor = point > 0 ? value / point : Number.POSITIVE_INFINITY
        const byFit = ids.every((id) => fitted.components[id]?.[FIELD[resource]] !== undefined)
        const complete = members.every((c) => placeable(c, record, priorTerms(c, resource)))
        rows.push({
          source: held,
          record: record.id,
          mesh: record.mesh,
          component: record.component,
          ...(record.covers === undefined ? {} : { covers: record.covers }),
          resource,
          unit: resource === 'cpu' ? 'cores' : 'MiB',
          statistic: record.statistic,
          measured: value,
          predicted: { low: sig(predicted.low), expected: sig(predicted.expected), high: sig(predicted.high) },
          comparedWith,
          factor: Number.isFinite(factor) ? sig(factor) : -1,
          within2x: factor >= 0.5 && factor <= 2,
          insideRange: value >= predicted.low * (1 - 1e-9) && value <= predicted.high * (1 + 1e-9),
          predictedBy: !complete ? 'setup-incomplete' : byFit ? 'fit' : 'prior'
        })
      }
    }
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
    summary: { ...tally(validated), sources: sourceIds.length, priorOnly: rows.filter((r) => r.predictedBy === 'prior').length, setupIncomplete: rows.filter((r) => r.predictedBy === 'setup-incomplete').length },
    components,
    rows
  }
}
