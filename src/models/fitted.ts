// models/fitted/<mesh>.yaml: the usage coefficients `npm run fit` derives from the evidence (src/engine/fit.ts).
// The one place fitted figures live: at start-up they replace the model file's figures of the same component,
// resource and term, citing the evidence sources; every other figure stays as the model file states it.
import { Type, type Static } from 'typebox'
import { stringify } from 'yaml'
import type { EvidenceFile } from './evidence-schema.js'
import type { Component, MeshModel, Source, SourceKind } from './schema.js'
import { ScalingDriver, strict, Id } from './schema.js'
import { cpuCores, memoryGiB } from './quantity.js'

const Figure = Type.Number({ minimum: 0 })
const FittedRange = Type.Object({ low: Figure, expected: Figure, high: Figure }, strict)

const Factors = Type.Object({
  low: Type.Number({ minimum: 0, maximum: 1, description: 'low = expected × this factor' }),
  high: Type.Number({ minimum: 1, description: 'high = expected × this factor' }),
  ratios: Type.Integer({ minimum: 1 }),
  sources: Type.Integer({ minimum: 1 })
}, strict)

export const FittedInterval = Type.Object({
  coverage: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'the central share of leave-one-source-out ratios the range spans' }),
  low: Type.Number({ minimum: 0, maximum: 1, description: 'the base (and every term the fit did not set): low = expected × this factor' }),
  high: Type.Number({ minimum: 1, description: 'the base (and every term the fit did not set): high = expected × this factor' }),
  /** the fitted slope's factors, from the records where the slope carried most of the prediction */
  slope: Type.Optional(Factors),
  pool: Type.Union([Type.Literal('engine'), Type.Literal('assumption')], {
    description: 'whose ratios: the engine\'s own (every mesh that runs it); assumption: too little evidence, the widest interval of its kind (else scope, else resource)'
  }),
  ratios: Type.Integer({ minimum: 1 }),
  sources: Type.Integer({ minimum: 1 }),
  like: Type.Optional(Type.String({ description: 'assumption: the mesh/component whose interval was taken' }))
}, { ...strict, description: 'the jackknife prediction interval (src/engine/jackknife.ts)' })

export const FittedResource = Type.Object({
  engine: Type.Optional(Id),
  base: FittedRange,
  slope: Type.Optional(Type.Object({ per: ScalingDriver, range: FittedRange }, strict)),
  records: Type.Array(Type.String({ pattern: '^[a-z0-9-]+/[a-z0-9-]+$' }), { description: 'evidence records, <source>/<record>; none for an assumption' }),
  sources: Type.Array(Type.String({ minLength: 1 })),
  method: Type.Union([Type.Literal('fit'), Type.Literal('share-of-covered-sum'), Type.Literal('assumption')]),
  adjustment: Type.Optional(Type.Object({
    factor: Type.Number({ exclusiveMinimum: 0, description: 'base and slope are the engine\'s times this' }),
    sources: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the component\'s own sources that set it' })
  }, strict)),
  interval: Type.Optional(FittedInterval)
}, strict)

export const FittedMeshFile = Type.Object({
  schemaVersion: Type.Literal(1),
  mesh: Id,
  components: Type.Record(Id, Type.Object({
    cpuCores: Type.Optional(FittedResource),
    memoryMiB: Type.Optional(FittedResource)
  }, strict)),
  noEvidence: Type.Array(Type.String(), { description: 'component/resource pairs with no usage evidence: their figures stay as the model file states them' })
}, strict)
export type FittedMeshFile = Static<typeof FittedMeshFile>

/** Evidence sources are cited in a mesh's `sources` map under this prefix, apart from the model file's own ids. */
export const evidenceSourceId = (id: string): string => `evidence.${id}`

const KIND: Record<string, SourceKind> = { project: 'measured-official', competitor: 'measured-vendor', independent: 'measured-third-party' }

function citation (file: EvidenceFile, mesh: string): Source {
  const parties = new Set(file.records.filter((r) => r.mesh === mesh).map((r) => r.party))
  const kind = parties.size === 1 ? KIND[[...parties][0] as string] ?? 'measured-third-party' : 'measured-third-party'
  return {
    title: file.source.title,
    kind,
    url: file.source.url,
    conditions: `evidence record file models/evidence/${file.source.id}.yaml; run by ${file.source.ranBy}; published ${file.source.published}`
  }
}

// Quantities never in exponent notation (String(1.2e-7) is "1.2e-7", which no quantity parser takes).
const plain = (x: number): string => (Math.abs(x) >= 1e-6 || x === 0 ? String(x) : x.toFixed(12).replace(/\.?0+$/, ''))
const cpu = (cores: number): string => plain(cores)
const mib = (x: number): string => `${plain(x)}Mi`

/** The source an assumed (no-evidence) range cites, by component and resource. */
export const assumptionSourceId = (component: string, resource: string): string => `assumption.no-evidence.${component}.${resource}`

function assumptionSource (component: Component, resource: 'cpu' | 'memory', interval: Static<typeof FittedInterval>): Source {
  return {
    title: `No published measurement of ${component.name}'s ${resource === 'cpu' ? 'CPU' : 'memory'}: a wide range by assumption`,
    kind: 'assumption',
    reasoning: 'No evidence record measures it, so neither its expected value (the model file\'s) nor its spread is checked. ' +
      `Its range is the widest ${Math.round(interval.coverage * 100)}% leave-one-source-out prediction interval among evidenced components ` +
      `of its kind (${component.role}, ${component.scope}; of its scope when its kind has none, of every component when its scope has none too): ${interval.like ?? 'unknown'}'s, ` +
      `× ${interval.low} to × ${interval.high} of the expected value. A component nobody measured is assumed no better known than the ` +
      'worst-known measured one like it (src/engine/jackknife.ts, docs/models.md).'
  }
}

/** The model file with its fitted figures in place. */
export function applyFitted (prior: MeshModel, fitted: FittedMeshFile | undefined, evidence: ReadonlyMap<string, EvidenceFile>): MeshModel {
  if (fitted === undefined) return prior
  const sources: Record<string, Source> = { ...prior.sources }
  const components = prior.components.map((component): Component => {
    const figures = fitted.components[component.id]
    if (figures === undefined) return component
    let usage = component.usage
    for (const [resource, field, quantity] of [['cpu', 'cpuCores', cpu], ['memory', 'memoryMiB', mib]] as const) {
      const f = figures[field]
      if (f === undefined) continue
      const ids = f.method === 'assumption' ? [...component.usage[resource].sources, assumptionSourceId(component.id, resource)] : f.sources.map(evidenceSourceId)
      for (const id of f.sources) {
        const file = evidence.get(id)
        if (file !== undefined) sources[evidenceSourceId(id)] = citation(file, prior.id)
      }
      if (f.method === 'assumption' && f.interval !== undefined) sources[assumptionSourceId(component.id, resource)] = assumptionSource(component, resource, f.interval)
      const how = f.method === 'fit' ? 'fitted' : f.method === 'assumption' ? 'no evidence: the model file\'s expected value, with an assumed range' : 'fitted as a share of the covered components\' measured sum'
      const range = f.interval === undefined ? '' : f.method === 'assumption' ? ` (range × ${f.interval.low} to × ${f.interval.high}, as ${f.interval.like ?? ''})` : `; range: ${Math.round(f.interval.coverage * 100)}% jackknife prediction interval, × ${f.interval.low} to × ${f.interval.high}`
      const note = f.method === 'assumption'
        ? `${how}${range} (models/fitted/${prior.id}.yaml)`
        : `${how} by npm run fit from ${f.records.length} evidence record${f.records.length === 1 ? '' : 's'}${range} (models/fitted/${prior.id}.yaml)`
      usage = {
        ...usage,
        [resource]: { low: quantity(f.base.low), expected: quantity(f.base.expected), high: quantity(f.base.high), sources: ids, note }
      }
      const slope = f.slope
      const interval = f.interval
      if (interval !== undefined) {
        const factors = { low: interval.low, high: interval.high, ...(slope !== undefined && interval.slope !== undefined ? { slope: { per: slope.per, low: interval.slope.low, high: interval.slope.high } } : {}) }
        usage = { ...usage, intervals: { ...usage.intervals, [resource]: factors } }
      }
      // The interval is of the whole prediction: terms the fit did not set keep their expected value and take its factors.
      if (usage.scaling !== undefined) {
        usage = {
          ...usage,
          scaling: usage.scaling.map((term) => {
            if (slope !== undefined && term.per === slope.per) {
              return { ...term, [resource]: { low: quantity(slope.range.low), expected: quantity(slope.range.expected), high: quantity(slope.range.high), sources: ids, note: `slope ${note}` } }
            }
            const t = term[resource]
            if (t === undefined || interval === undefined) return term
            const expected = resource === 'cpu' ? cpuCores(t.expected) : memoryGiB(t.expected) * 1024
            const at = (factor: number): number => Number((expected * factor).toPrecision(4))
            return { ...term, [resource]: { ...t, low: quantity(at(interval.low)), high: quantity(at(interval.high)), note: `${t.note === undefined ? '' : `${t.note}; `}range × ${interval.low} to × ${interval.high} (${f.method === 'assumption' ? 'assumed' : 'jackknife interval'}, models/fitted/${prior.id}.yaml)` } }
          })
        }
      }
    }
    return { ...component, usage }
  })
  return { ...prior, components, sources }
}

/** The text of models/fitted/<mesh>.yaml for one fit: what npm run fit writes and its test compares. */
export function renderFitted (fitted: FittedMeshFile): string {
  const header = [
    '# Generated by `npm run generate` (scripts/fit.ts) from models/evidence/*.yaml and models/meshes/' + fitted.mesh + '.yaml: do not edit.',
    '# The method is stated in src/engine/fit.ts. CPU in cores, memory in MiB, per replica; slopes per unit of their driver.',
    '# At start-up these figures replace the model file\'s figures of the same component, resource and term.',
    ''
  ].join('\n')
  return header + stringify(fitted, { lineWidth: 0 })
}
