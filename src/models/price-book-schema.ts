// models/pricing/<id>.yaml: a price book, unit prices per vCPU-hour and GiB-hour.
import { Type, type Static } from 'typebox'
import { strict, Id, IsoDate, SourceRefs, SourceMap } from './common-schema.js'

/** Unit prices for CPU and memory: what allocation tools such as OpenCost charge per core-hour and GiB-hour. */
export const PriceBook = Type.Object({
  schemaVersion: Type.Literal(1),
  id: Id,
  name: Type.String({ minLength: 1 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
  region: Type.Optional(Type.String({ minLength: 1 })),
  cpuCoreHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one vCPU for one hour' }),
  memoryGiBHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one GiB of memory for one hour' }),
  rateSources: SourceRefs,
  note: Type.Optional(Type.String()),
  revised: IsoDate,
  sources: SourceMap
}, strict)

export type PriceBook = Static<typeof PriceBook>
