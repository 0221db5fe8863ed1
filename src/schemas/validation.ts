// GET /validation: the leave-one-source-out check of the usage models against the evidence records.
import { Type, type Static } from 'typebox'
import { Range } from './common.js'
import { strict } from '../models/schema.js'

const Share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'fraction of the figures; null when there are none' })
const Resource = Type.Union([Type.Literal('cpu'), Type.Literal('memory')])

const Tally = {
  figures: Type.Integer({ minimum: 0, description: 'measured figures predicted by a fit on other sources' }),
  within2x: Type.Integer({ minimum: 0, description: 'figures with 0.5 <= measured ÷ predicted expected value <= 2 (the point prediction; the range does not change it)' }),
  insideRange: Type.Integer({ minimum: 0, description: 'figures inside the predicted [low, high], the interval built from the other sources\' errors only' }),
  shareWithin2x: Share,
  shareInsideRange: Share,
  medianWidth: Type.Union([Type.Number(), Type.Null()], { description: 'the median high ÷ low of the predicted ranges (sharpness); -1 when a low bound is zero; null without figures' }),
  maxWidth: Type.Union([Type.Number(), Type.Null()], { description: 'the largest high ÷ low; -1 when a low bound is zero; null without figures' }),
  intervalScore: Type.Union([Type.Number(), Type.Null()], { description: 'the mean interval score of the 90% ranges on a log2 scale (Gneiting & Raftery 2007): width in doublings plus 20 × the doublings a figure falls outside; lower is better' })
}

export const ValidationRow = Type.Object({
  source: Type.String({ description: 'evidence source left out of the fit (models/evidence/<source>.yaml)' }),
  record: Type.String({ description: 'record id within the source' }),
  mesh: Type.String(),
  component: Type.String(),
  engine: Type.String({ description: 'the program that ran (envoy, linkerd2-proxy, ztunnel, ...): the unit of the fit and of its interval' }),
  covers: Type.Optional(Type.Array(Type.String(), { description: 'the components the measured figure sums (a whole control plane)' })),
  resource: Resource,
  unit: Type.Union([Type.Literal('cores'), Type.Literal('MiB')]),
  statistic: Type.Union([Type.Literal('mean'), Type.Literal('median'), Type.Literal('p90'), Type.Literal('p99'), Type.Literal('max')]),
  measured: Type.Number({ minimum: 0, description: 'the published figure, per replica' }),
  predicted: Type.Object(Range.properties, { ...strict, description: 'the model fitted without this source, at the record\'s setup, per replica' }),
  factor: Type.Number({ description: 'measured ÷ predicted expected value, for every statistic (extremes are judged by the range); -1 when the prediction is zero' }),
  within2x: Type.Boolean(),
  insideRange: Type.Boolean(),
  predictedBy: Type.Union([Type.Literal('fit'), Type.Literal('prior'), Type.Literal('setup-incomplete'), Type.Literal('fault')], { description: 'fit: from other sources\' records; prior: no other source measured it, or a model-file term worked out from this source carries it, so the model file predicted it; setup-incomplete: the setup lacks a load driver the model needs (requests per second, pods); fault: the source reports the figure as a defect (a crash, an eviction, a leak), which no fit uses. Only fit rows are in the tallies; fault rows have a tally of their own' }),
  fault: Type.Optional(Type.String({ description: 'the defect the figure measures, as its evidence record states it' }))
}, strict)

export const ValidationReport = Type.Object({
  method: Type.String(),
  targets: Type.Object({ shareWithin2x: Type.Number(), shareInsideRange: Type.Number(), medianWidth: Type.Number(), maxWidth: Type.Number() }, { ...strict, description: 'what the models aim for on leave-one-source-out: shares at least, widths at most' }),
  interval: Type.Object({
    coverage: Type.Number({ description: 'the central share of leave-one-source-out errors each [low, high] spans (0.9: from the 5th to the 95th percentile)' }),
    minSources: Type.Integer({ description: 'an engine\'s own errors make its interval when they come from at least this many sources (the base\'s and the slope\'s apart when each has as many); else, as an assumption, the widest interval of its kind' })
  }, { ...strict, description: 'how [low, high] is built: a jackknife prediction interval, nested in this check so that no figure meets an interval its own source helped build' }),
  summary: Type.Object({
    ...Tally,
    sources: Type.Integer({ minimum: 0, description: 'evidence sources, each left out in turn' }),
    priorOnly: Type.Integer({ minimum: 0, description: 'figures only the model file could predict (no other source), not in the tallies' }),
    setupIncomplete: Type.Integer({ minimum: 0, description: 'figures whose setup lacks a load driver the model needs, not in the tallies' }),
    faults: Type.Object(Tally, { ...strict, description: 'figures of defects (crashes, evictions, leaks, storms), predicted as the working cost would be and tallied apart: how far a defect leaves the model\'s range' })
  }, strict),
  engines: Type.Array(Type.Object({
    engine: Type.String(),
    resource: Resource,
    ...Tally
  }, strict), { description: 'per engine and resource: the unit each interval is built for' }),
  components: Type.Array(Type.Object({
    mesh: Type.String(),
    component: Type.String(),
    resource: Resource,
    ...Tally,
    priorOnly: Type.Integer({ minimum: 0 }),
    setupIncomplete: Type.Integer({ minimum: 0 })
  }, strict), { description: 'per mesh, component and resource' }),
  rows: Type.Array(ValidationRow, { description: 'every measured figure: measured against predicted' })
}, { ...strict, $id: 'ValidationReport', title: 'ValidationReport', description: 'How well the usage models predict measurements they were not fitted to' })
export type ValidationReport = Static<typeof ValidationReport>
