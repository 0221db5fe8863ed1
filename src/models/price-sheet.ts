// OpenCost's custom pricing sheet (configs/default.json and the CustomPricing struct): the prices a team's
// OpenCost already uses, taken as they are, in the sheet's own currency. Every price is a string-encoded decimal
// per hour, as OpenCost writes them: CPU per vCPU-hour, RAM per GiB-hour, GPU per GPU-hour, storage per GB-hour.
import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { CURRENCY_PATTERN } from './common-schema.js'

// Plain decimals, as OpenCost's default sheet writes them ("0.031611"); at most 9,999,999 per hour.
const DECIMAL = '^[0-9]{1,7}(\\.[0-9]{1,15})?$'
const rate = (description: string) => Type.String({ pattern: DECIMAL, description: `${description}, a decimal string such as "0.031611"` })
const optionalRate = (description: string) => Type.Optional(rate(description))

/** The fields of OpenCost's default pricing sheet; other CustomPricing fields (labels, keys) are accepted and ignored. */
export const PriceSheet = Type.Object({
  provider: Type.Optional(Type.String({ maxLength: 64 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  currencyCode: Type.Optional(Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217 currency of every price in the sheet (default USD); no exchange rate is applied' })),
  CPU: rate('price of one vCPU-hour'),
  RAM: rate('price of one GiB-hour of memory'),
  GPU: optionalRate('price of one GPU-hour; splits a GPU node\'s price when unit prices are derived from it'),
  spotCPU: optionalRate('price of one vCPU-hour on Spot nodes (pricing.model "spot")'),
  spotRAM: optionalRate('price of one GiB-hour of memory on Spot nodes (pricing.model "spot")'),
  spotGPU: optionalRate('price of one GPU-hour on Spot nodes'),
  storage: optionalRate('price of one GB-hour of storage (not used: a mesh adds no volumes)'),
  zoneNetworkEgress: optionalRate('per GB (not used: traffic costs are not estimated)'),
  regionNetworkEgress: optionalRate('per GB (not used)'),
  internetNetworkEgress: optionalRate('per GB (not used)'),
  natGatewayEgress: optionalRate('per GB (not used)'),
  natGatewayIngress: optionalRate('per GB (not used)'),
  firstFiveForwardingRulesCost: optionalRate('per hour (not used)'),
  additionalForwardingRuleCost: optionalRate('per hour (not used)'),
  LBIngressDataCost: optionalRate('per GB (not used)')
}, {
  additionalProperties: Type.String({ maxLength: 2048 }),
  description: 'An OpenCost custom pricing sheet (the format of its configs/default.json), hourly prices in the sheet\'s own currency',
  examples: [{ description: 'Default prices based on GCP us-central1', CPU: '0.031611', spotCPU: '0.006655', RAM: '0.004237', spotRAM: '0.000892', GPU: '0.95', storage: '0.00005479452' }]
})
export type PriceSheet = Static<typeof PriceSheet>

/** A sheet's prices as numbers. */
export interface SheetRates {
  currency: string
  cpuCoreHour: number
  memoryGiBHour: number
  gpuHour?: number
  spotCpuCoreHour?: number
  spotMemoryGiBHour?: number
}

export function sheetRates (sheet: PriceSheet): SheetRates {
  const n = (s: string | undefined) => (s === undefined ? undefined : Number(s))
  const optional = (key: keyof Omit<SheetRates, 'currency' | 'cpuCoreHour' | 'memoryGiBHour'>, value: number | undefined) => (value === undefined ? {} : { [key]: value })
  return {
    currency: sheet.currencyCode ?? 'USD',
    cpuCoreHour: Number(sheet.CPU),
    memoryGiBHour: Number(sheet.RAM),
    ...optional('gpuHour', n(sheet.GPU)),
    ...optional('spotCpuCoreHour', n(sheet.spotCPU)),
    ...optional('spotMemoryGiBHour', n(sheet.spotRAM))
  }
}

const check = Compile(PriceSheet)

/** PRICE_SHEET_FILE: read and validated at start-up; throws, listing every problem by field, on a bad file. */
export function loadPriceSheet (file: string): SheetRates {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`PRICE_SHEET_FILE=${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!check.Check(value)) {
    const problems = [...new Set([...check.Errors(value)].map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath}: ${e.message}`))]
    throw new Error(`PRICE_SHEET_FILE=${file} is not an OpenCost pricing sheet (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`)
  }
  return sheetRates(value)
}
