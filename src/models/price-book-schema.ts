// models/pricing/<id>.yaml: a price book, unit prices per vCPU-hour and GiB-hour.
import { Type, type Static } from 'typebox'
import { strict, Id, CURRENCY_PATTERN, ISO_DATE_PATTERN, IsoDate, SourceRefs, SourceMap } from './common-schema.js'

/** Unit prices for CPU and memory: what allocation tools such as OpenCost charge per core-hour and GiB-hour. */
export const PriceBook = Type.Object({
  schemaVersion: Type.Literal(1),
  id: Id,
  name: Type.String({ minLength: 1 }),
  currency: Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217' }),
  region: Type.Optional(Type.String({ minLength: 1 })),
  cpuCoreHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one vCPU for one hour' }),
  memoryGiBHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one GiB of memory for one hour' }),
  gpuHour: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'price of one GPU for one hour' })),
  spotCpuCoreHour: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'price of one vCPU-hour on Spot nodes' })),
  spotMemoryGiBHour: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'price of one GiB-hour on Spot nodes' })),
  asOf: Type.String({ pattern: ISO_DATE_PATTERN, description: 'date of the price list the rates were read from' }),
  rateSources: SourceRefs,
  note: Type.Optional(Type.String()),
  revised: IsoDate,
  sources: SourceMap
}, strict)

export type PriceBook = Static<typeof PriceBook>
