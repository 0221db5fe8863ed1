import { Type } from 'typebox'
import { SourceOut } from './common.js'

export const PriceBookOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  region: Type.Optional(Type.String()),
  cpuCoreHour: Type.Number({ description: 'price of one vCPU-hour' }),
  memoryGiBHour: Type.Number({ description: 'price of one GiB-hour' }),
  gpuHour: Type.Optional(Type.Number({ description: 'price of one GPU-hour' })),
  spotCpuCoreHour: Type.Optional(Type.Number({ description: 'price of one vCPU-hour on Spot nodes (pricing.model "spot")' })),
  spotMemoryGiBHour: Type.Optional(Type.Number({ description: 'price of one GiB-hour on Spot nodes' })),
  asOf: Type.Optional(Type.String({ description: 'date of the price list the rates were read from (absent for PRICE_SHEET_FILE)' })),
  note: Type.Optional(Type.String()),
  revised: Type.Optional(Type.String()),
  default: Type.Boolean({ description: 'the book POST /estimate uses when no price is given ("price-sheet-file" when the service was started with PRICE_SHEET_FILE)' }),
  sources: Type.Array(SourceOut)
}, { additionalProperties: false })

export const PriceBookList = Type.Object({ books: Type.Array(PriceBookOut) }, { additionalProperties: false })
