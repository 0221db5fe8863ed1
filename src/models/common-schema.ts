// What every data file in models/ shares: ids, dates, Kubernetes quantities and the sources every figure cites.
// Each kind of file has its schema beside this one (mesh-, node-, price-book-, defaults-, decision-,
// evidence-schema.ts); load.ts validates them all once, at start-up.
import { Type, type Static } from 'typebox'

export const strict = { additionalProperties: false } as const

/**
 * The id rule of meshes, components, price books, evidence records, calibrations and rules, in the model files
 * and in requests alike: lower case letters, digits and dashes, at most 64 characters. Unanchored, so that a
 * pattern can repeat it (a comma list of ids in a query string).
 */
export const ID_PATTERN = '[a-z0-9][a-z0-9-]{0,63}'
export const Id = Type.String({ pattern: `^${ID_PATTERN}$` })
/** A calendar date, 2026-11-26. */
export const ISO_DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$'
export const IsoDate = Type.String({ pattern: ISO_DATE_PATTERN })
/** An ISO 4217 currency code, USD. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$'
/** Non-empty text. */
export const Text = Type.String({ minLength: 1 })

/** Kubernetes CPU quantity, as the charts write it: "100m", "0.2", "2". */
export const CpuQuantity = Type.String({
  pattern: '^[0-9]+(\\.[0-9]+)?m?$',
  description: 'Kubernetes CPU quantity: cores ("0.2") or millicores ("100m")'
})

/** Kubernetes memory quantity: "128Mi" (binary) or "60M" (decimal, as benchmarks report MB). */
export const MemoryQuantity = Type.String({
  pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|k|M|G)?$',
  description: 'Kubernetes memory quantity: "128Mi" (2^20 bytes) or "60M" (10^6 bytes, as benchmarks write MB)'
})

/** Ids of entries in the file's `sources` map. Every figure names at least one. */
export const SourceRefs = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })

export const SourceKind = Type.Union([
  Type.Literal('default'), // chart or profile default: what the scheduler reserves
  Type.Literal('measured-official'), // the project's own benchmark
  Type.Literal('measured-vendor'), // a competing vendor's benchmark
  Type.Literal('measured-third-party'), // independent benchmark
  Type.Literal('anecdotal'), // a user's report in an issue thread
  Type.Literal('assumption') // no public figure: our reasoning, stated
])

export const Source = Type.Object({
  title: Type.String({ minLength: 1 }),
  kind: SourceKind,
  url: Type.Optional(Type.String({ minLength: 1, description: 'URL, or repository and path at a tag' })),
  version: Type.Optional(Type.String({ minLength: 1, description: 'mesh or document version the figure applies to' })),
  conditions: Type.Optional(Type.String({ minLength: 1, description: 'how it was measured' })),
  retrieved: Type.Optional(IsoDate),
  reasoning: Type.Optional(Type.String({ minLength: 1, description: 'why, for assumptions and choices between conflicting sources' }))
}, strict)

const range = <T extends typeof CpuQuantity | typeof MemoryQuantity>(quantity: T) => Type.Object({
  low: quantity,
  expected: quantity,
  high: quantity,
  sources: SourceRefs,
  /**
   * Evidence sources (models/evidence) the figure was worked out from. Leave-one-source-out cannot refit it without
   * them, so a held-out figure that leans on it is listed as predicted by the prior, not counted (jackknife.ts).
   */
  derivedFrom: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })),
  note: Type.Optional(Type.String())
}, strict)

export const CpuRange = range(CpuQuantity)
export const MemoryRange = range(MemoryQuantity)

/** A file's sources, by the ids its figures cite. */
export const SourceMap = Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-.]*$' }), Source)

export type Source = Static<typeof Source>
export type SourceKind = Static<typeof SourceKind>
