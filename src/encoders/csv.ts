// CSV for spreadsheets and dashboards: RFC 4180 (CRLF line ends, a header row, fields quoted only when they hold
// a comma, a quote or a line break, quotes doubled), with text cells guarded against formula injection.
//
// The columns use a FinOps FOCUS 1.2 name only where FOCUS's definition holds for an estimate (the charge
// period, the description, the service category and subcategory, the region) and an x_ name otherwise, as
// FOCUS asks of custom columns: a forecast is not a Usage charge, derived or inline prices are not published
// list prices, a row has no ResourceId for a ResourceType to qualify, a custom node has no provider, and
// nothing is billed in a currency. docs/integrations.md documents every column.
import { HOURS_PER_MONTH } from '../units.js'
import type { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present'

export type Cell = string | number | boolean | null | undefined

// A cell that a spreadsheet would read as a formula (=, +, -, @, or a tab or line break before one) is
// prefixed with an apostrophe, which spreadsheets show as text (OWASP, "CSV Injection").
const FORMULA_START = /^[=+\-@\t\r\n]/

/** A text cell: formula-guarded, and quoted when it holds a comma, a quote or a line break. */
export function text (value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded
}

/** A number in plain decimal notation, at most `digits` decimals, trailing zeros dropped; never NaN or Infinity. */
export function decimal (n: number, digits = 6): string {
  if (!Number.isFinite(n)) return ''
  const s = n.toFixed(digits)
  const trimmed = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
  return trimmed === '-0' ? '0' : trimmed
}

export function cell (value: Cell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return decimal(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return text(value)
}

/** Header and rows as RFC 4180 text. Numbers given as strings (already formatted) are written as they are. */
export function toCsv (header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const line = (cells: readonly Cell[]): string => cells.map(cell).join(',')
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n'
}

/** One row per mesh and component: what a spreadsheet user reads first. */
export const COMPONENT_COLUMNS = [
  'ChargePeriodStart', 'ChargePeriodEnd', 'x_ChargeCategory', 'ChargeDescription',
  'ServiceCategory', 'ServiceSubcategory', 'x_ProviderName', 'RegionId', 'x_ResourceType',
  'x_EstimatedCost', 'x_Currency',
  'x_MeshId', 'x_MeshName', 'x_MeshVersion', 'x_MeshMode',
  'x_ComponentId', 'x_ComponentName', 'x_ComponentScope', 'x_ComponentRole', 'x_Replicas', 'x_CostBasis',
  'x_CpuCores', 'x_CpuCoresLow', 'x_CpuCoresHigh', 'x_MemoryGiB', 'x_MemoryGiBLow', 'x_MemoryGiBHigh',
  'x_CpuCoreHours', 'x_CpuCoreHourPrice', 'x_MemoryGiBHours', 'x_MemoryGiBHourPrice',
  'x_HourlyCost', 'x_MonthlyCost', 'x_MonthlyCostLow', 'x_MonthlyCostHigh',
  'x_PriceSource', 'x_NodeType', 'x_PodCount', 'x_PricingModel', 'x_PriceAsOf'
] as const

/** One row per mesh, component and priced resource: each row one FOCUS pricing unit. */
export const ESTIMATE_COLUMNS = [
  'ChargePeriodStart', 'ChargePeriodEnd', 'x_ChargeCategory', 'ChargeDescription',
  'ServiceCategory', 'ServiceSubcategory', 'x_ProviderName', 'RegionId', 'x_ResourceType',
  'x_PricingQuantity', 'x_PricingUnit', 'x_UnitPrice', 'x_EstimatedCost', 'x_Currency',
  'x_MeshId', 'x_MeshName', 'x_MeshVersion', 'x_MeshMode',
  'x_ComponentId', 'x_ComponentName', 'x_ComponentScope', 'x_ComponentRole', 'x_Replicas',
  'x_Resource', 'x_Quantity', 'x_QuantityLow', 'x_QuantityHigh', 'x_QuantityUnit', 'x_CostBasis',
  'x_HourlyCost', 'x_MonthlyCost', 'x_MonthlyCostLow', 'x_MonthlyCostHigh',
  'x_PriceSource', 'x_NodeType', 'x_PodCount', 'x_PricingModel', 'x_PriceAsOf'
] as const

const PROVIDERS: Record<string, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Microsoft' }
const RESOURCE_TYPES: Record<string, string> = { perPod: 'Sidecar container', perNode: 'DaemonSet pod', cluster: 'Deployment pod' }

/** The period a monthly figure covers: 730 hours from the start of the next UTC month (ChargePeriodEnd is exclusive). */
export function chargePeriod (now: Date): { start: string, end: string } {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return { start: iso(start), end: iso(start + HOURS_PER_MONTH * 3600 * 1000) }
}

interface RowContext {
  period: { start: string, end: string }
  provider: string
  region: string
}

function rowContext (response: EstimateResponse, request: EstimateRequest, nodeType: string, now: Date): RowContext {
  const defaulted = response.assumptions.defaultsApplied.find((d) => d.field === '/cluster/region')?.value
  const region = request.cluster?.region ?? defaulted
  const provider = PROVIDERS[nodeType.split('/')[0] ?? ''] ?? ''
  return { period: chargePeriod(now), provider, region: typeof region === 'string' && provider !== '' ? region : '' }
}

/**
 * CSV of an estimate. `rows: 'component'` (the default) gives one row per mesh and component, CPU and memory
 * side by side, x_EstimatedCost their monthly cost. `rows: 'resource'` gives one row per mesh, component and
 * priced resource (CPU, then memory), so that each row has one x_PricingUnit, x_PricingQuantity (core-hours or
 * GiB-hours over the 730-hour charge period) and x_UnitPrice, and x_EstimatedCost = x_PricingQuantity x x_UnitPrice.
 * Either way the x_EstimatedCost of a mesh's rows sums to its cost.monthly.expected (to rounding).
 */
export function estimateCsv (response: EstimateResponse, request: EstimateRequest, now: Date = new Date(), rows: 'component' | 'resource' = 'component', pool?: string): string {
  const { pricing, basis } = response.assumptions
  const out: Cell[][] = []
  const monthly = (x: number, price: number) => x * price * HOURS_PER_MONTH
  for (const e of response.estimates) {
    const { period, provider, region } = rowContext(response, request, e.capacity.nodeType, now)
    for (const c of e.components) {
      const head = (description: string): Cell[] => [period.start, period.end, 'Forecast', description, 'Compute', 'Containers', provider, region, RESOURCE_TYPES[c.scope] ?? c.scope]
      const about: Cell[] = [e.mesh, e.name, e.version, e.mode, c.id, c.name, c.scope, c.role, c.replicas]
      const tail: Cell[] = [pricing.source, e.capacity.nodeType, request.pods, pricing.model, pricing.asOf ?? '', ...(pool === undefined ? [] : [pool])]
      const replicas = `${c.replicas} replica${c.replicas === 1 ? '' : 's'}, ${basis} basis`
      if (rows === 'component') {
        const cpu = c.basis.cpuCores
        const memory = c.basis.memoryGiB
        const cost = (k: 'low' | 'expected' | 'high') => monthly(cpu[k], pricing.cpuCoreHour) + monthly(memory[k], pricing.memoryGiBHour)
        out.push([
          ...head(`${c.name}: ${replicas}`), decimal(cost('expected'), 6), pricing.currency,
          ...about, basis,
          decimal(cpu.expected), decimal(cpu.low), decimal(cpu.high), decimal(memory.expected), decimal(memory.low), decimal(memory.high),
          decimal(cpu.expected * HOURS_PER_MONTH, 6), decimal(pricing.cpuCoreHour, 10), decimal(memory.expected * HOURS_PER_MONTH, 6), decimal(pricing.memoryGiBHour, 10),
          decimal(cost('expected') / HOURS_PER_MONTH, 8), decimal(cost('expected'), 6), decimal(cost('low'), 6), decimal(cost('high'), 6),
          ...tail
        ])
        continue
      }
      for (const resource of ['cpu', 'memory'] as const) {
        const quantity = resource === 'cpu' ? c.basis.cpuCores : c.basis.memoryGiB
        const price = resource === 'cpu' ? pricing.cpuCoreHour : pricing.memoryGiBHour
        out.push([
          ...head(`${c.name}: ${resource === 'cpu' ? 'CPU' : 'memory'}, ${replicas}`),
          decimal(quantity.expected * HOURS_PER_MONTH, 6), resource === 'cpu' ? 'vCPU-Hours' : 'GiB-Hours',
          decimal(price, 10), decimal(monthly(quantity.expected, price), 6), pricing.currency,
          ...about,
          resource, decimal(quantity.expected), decimal(quantity.low), decimal(quantity.high), resource === 'cpu' ? 'cores' : 'GiB', basis,
          decimal(quantity.expected * price, 8), decimal(monthly(quantity.expected, price), 6), decimal(monthly(quantity.low, price), 6), decimal(monthly(quantity.high, price), 6),
          ...tail
        ])
      }
    }
  }
  const columns = rows === 'component' ? COMPONENT_COLUMNS : ESTIMATE_COLUMNS
  return toCsv(pool === undefined ? columns : [...columns, 'x_Pool'], out)
}

export const SWEEP_COLUMNS = [
  'x_MeshId', 'x_Vary', 'x_Value',
  'x_CpuCores', 'x_CpuCoresLow', 'x_CpuCoresHigh',
  'x_MemoryGiB', 'x_MemoryGiBLow', 'x_MemoryGiBHigh',
  'x_MonthlyCost', 'x_MonthlyCostLow', 'x_MonthlyCostHigh',
  'x_AdditionalNodes', 'x_AdditionalNodesMonthlyCost', 'x_Currency'
] as const

const SWEEP_SUMMARY_COLUMNS = SWEEP_COLUMNS.filter((c) => !c.endsWith('Low') && !c.endsWith('High'))

/** The header line of a sweep's CSV (view=summary leaves the low and high bounds out). */
export function sweepCsvHeader (summary = false): string {
  return toCsv(summary ? SWEEP_SUMMARY_COLUMNS : SWEEP_COLUMNS, [])
}

/**
 * json or csv for this request: `?format=` wins; otherwise the Accept header, by q-value, ties going to the
 * type named exactly (so `text/csv, *\/*` is CSV) and then to JSON. Anything else (text/html…) gets JSON.
 */
export function preferredFormat (format: 'json' | 'csv' | undefined, accept: string | undefined): 'json' | 'csv' {
  if (format !== undefined) return format
  if (accept === undefined || accept === '') return 'json'
  const score = (type: string, subtype: string): [number, number] => {
    let best: [number, number] = [0, -1] // [q, specificity]
    for (const part of accept.split(',')) {
      const [range = '', ...params] = part.trim().toLowerCase().split(';')
      const [t, s] = range.trim().split('/')
      const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1
      if (specificity < 0 || specificity < best[1]) continue
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      const q = qParam === undefined ? 1 : Number(qParam.slice(2))
      best = [Number.isFinite(q) ? q : 0, specificity]
    }
    return best
  }
  const [qCsv, sCsv] = score('text', 'csv')
  const [qJson, sJson] = score('application', 'json')
  if (qCsv <= 0) return 'json'
  return qCsv > qJson || (qCsv === qJson && sCsv > sJson) ? 'csv' : 'json'
}
