// The prices of a scenario: the pricing model, the node price under it, and the unit prices the overhead is
// charged at, each with where it came from and the date of its price list. Pure: no I/O.
import type { Models } from '../models/load.js'
import { PRICE_FIELDS, type NodePrice, type PricingModel } from '../models/schema.js'
import { sheetRates, type SheetRates } from '../models/price-sheet.js'
import type { Assumptions, EstimateRequest } from '../schemas/estimate.js'
import { DomainError } from '../errors.js'

export type Pricing = Assumptions['pricing']
type DefaultsApplied = Assumptions['defaultsApplied']

/** The node the scenario runs on, as far as its price goes. */
export interface PricedNode {
  id: string
  vcpu: number
  /** memory as the kubelet reports it: the capacity OpenCost splits the node price over */
  kubeletMemoryGiB: number
  gpus: number
  /** the provider's CPU:RAM price ratio (OpenCost's per-provider config); undefined for a custom node, which takes the default book's */
  priceSplit?: { cpuCoreHour: number, memoryGiBHour: number, label: string }
  /** the node catalog's price entry for the node type and region; undefined for a custom node */
  nodeCatalogPrice?: NodePrice
  /** a custom node's price per node-hour, taken as its price under the pricing model */
  customHourly?: number
  /** the node was named in the request (not the default node type) */
  explicit: boolean
}

const MODEL_NAMES: Record<PricingModel, string> = {
  onDemand: 'on-demand',
  spot: 'Spot',
  commitment1Year: '1-year commitment',
  commitment3Year: '3-year commitment'
}

const off = (price: number, discountPercent: number | undefined) => (discountPercent === undefined ? price : price * (1 - discountPercent / 100))

/** The pricing models a node catalog's price entry has a published price for. */
export const pricedModels = (price: NodePrice): PricingModel[] =>
  (Object.keys(PRICE_FIELDS) as PricingModel[]).filter((m) => price[PRICE_FIELDS[m]] !== undefined)

/** The node's price per hour under the model, or null when it is in another currency than the prices. */
function nodeHourly (node: PricedNode, model: PricingModel, discountPercent: number | undefined, currency: string, notes: string[]): number | null {
  if (node.nodeCatalogPrice === undefined) return node.customHourly === undefined ? null : off(node.customHourly, discountPercent)
  const entry = node.nodeCatalogPrice
  if (entry.currency !== currency) {
    notes.push(`The node's list price is in ${entry.currency} and prices are in ${currency}: no exchange rate is applied, so the cost of additional nodes is not given.`)
    return null
  }
  if (discountPercent !== undefined) return off(entry.hourly, discountPercent)
  const listed = entry[PRICE_FIELDS[model]]
  if (listed !== undefined) return listed
  const provider = node.id.split('/')[0] ?? ''
  const why = model === 'spot'
    ? (provider === 'aws' ? 'AWS publishes no static Spot price (Spot prices move with demand)' : `the node catalog has no dated ${provider} Spot price`)
    : `the node catalog has no dated ${provider} ${MODEL_NAMES[model]} price`
  throw new DomainError([{
    pointer: '/pricing/model',
    detail: `${why} for ${node.id} in ${entry.region}; priced models there: ${pricedModels(entry).join(', ')}. Give pricing.discountPercent, your discount off the on-demand price (${entry.hourly} ${entry.currency} per hour as of ${entry.asOf}).`
  }])
}

interface Rates { source: string, currency: string, cpuCoreHour: number, memoryGiBHour: number, gpuHour?: number, asOf?: string }

/** A sheet's or book's rates under the model: its spot rates where it has them, else the user's discount. */
function ratesUnderModel (rates: Rates & { spotCpuCoreHour?: number, spotMemoryGiBHour?: number }, model: PricingModel, discountPercent: number | undefined, what: string, sheetPointer?: string): Rates {
  const { spotCpuCoreHour, spotMemoryGiBHour, ...base } = rates
  if (discountPercent !== undefined) return { ...base, cpuCoreHour: off(base.cpuCoreHour, discountPercent), memoryGiBHour: off(base.memoryGiBHour, discountPercent) }
  if (model === 'onDemand') return base
  if (model === 'spot' && spotCpuCoreHour !== undefined && spotMemoryGiBHour !== undefined) return { ...base, cpuCoreHour: spotCpuCoreHour, memoryGiBHour: spotMemoryGiBHour }
  if (model === 'spot' && sheetPointer !== undefined) {
    const field = spotCpuCoreHour === undefined ? 'spotCPU' : 'spotRAM'
    throw new DomainError([{ pointer: `${sheetPointer}/${field}`, detail: 'is needed for pricing.model "spot" (or give pricing.discountPercent, your discount off the sheet\'s CPU and RAM prices)' }])
  }
  throw new DomainError([{ pointer: '/pricing/discountPercent', detail: `is needed for pricing.model "${model}": ${what} has no ${MODEL_NAMES[model]} prices, so give your discount off its prices` }])
}

export interface ResolvedPricing { pricing: Pricing, nodeHourly: number | null }

/** How a node pool's pricing differs from the request's own (see scenario.ts's resolvePools). */
export interface PoolPricing {
  /** where the notes on the node's own price go (by default with the others, on the unit prices) */
  nodeNotes?: string[]
  /** the discount is the pool's own (nodePools[i].pricing): with inline unit prices it discounts the node price alone */
  poolDiscount?: boolean
}

export function resolvePricing (request: EstimateRequest, models: Models, node: PricedNode, defaultsApplied: DefaultsApplied, notes: string[], pool: PoolPricing = {}): ResolvedPricing {
  const nodeNotes = pool.nodeNotes ?? notes
  const pricing = request.pricing ?? {}
  const model: PricingModel = pricing.model ?? 'onDemand'
  if (pricing.model === undefined) defaultsApplied.push({ field: '/pricing/model', value: 'onDemand', reason: 'list prices, as the providers publish them' })
  const discountPercent = pricing.discountPercent
  const inlineRates = pricing.cpuCoreHour !== undefined || pricing.memoryGiBHour !== undefined
  const given = [pricing.book === undefined ? [] : ['book'], inlineRates ? ['inline prices'] : [], pricing.sheet === undefined ? [] : ['sheet']].flat()
  if (given.length > 1) throw new DomainError([{ pointer: `/pricing/${pricing.sheet === undefined ? 'book' : 'sheet'}`, detail: `give one of pricing.book, pricing.sheet or inline prices, not ${given.join(' and ')}` }])
  if (inlineRates && (pricing.cpuCoreHour === undefined || pricing.memoryGiBHour === undefined)) {
    const missing = pricing.cpuCoreHour === undefined ? 'cpuCoreHour' : 'memoryGiBHour'
    throw new DomainError([{ pointer: `/pricing/${missing}`, detail: 'inline prices need both cpuCoreHour and memoryGiBHour' }])
  }
  if (inlineRates && discountPercent !== undefined && pool.poolDiscount !== true) throw new DomainError([{ pointer: '/pricing/discountPercent', detail: 'applies to list prices (the node catalog\'s, a book\'s or a sheet\'s); inline prices are already yours' }])

  const book = pricing.book === undefined ? undefined : models.priceBooks.get(pricing.book)
  if (pricing.book !== undefined && book === undefined) throw new DomainError([{ pointer: '/pricing/book', detail: `unknown price book "${pricing.book}"; see GET /pricing` }])
  const sheet: (SheetRates & { source: string }) | undefined = pricing.sheet !== undefined
    ? { ...sheetRates(pricing.sheet), source: 'sheet' }
    : (book === undefined && !inlineRates && models.priceSheet !== undefined ? { ...models.priceSheet, source: 'price-sheet-file' } : undefined)
  if (book !== undefined && pricing.currency !== undefined && pricing.currency !== book.currency) {
    throw new DomainError([{ pointer: '/pricing/currency', detail: `price book "${book.id}" is in ${book.currency}; no exchange rates are applied` }])
  }
  if (sheet !== undefined && pricing.currency !== undefined && pricing.currency !== sheet.currency) {
    throw new DomainError([{ pointer: '/pricing/currency', detail: `the price sheet is in ${sheet.currency} (its currencyCode); no exchange rates are applied` }])
  }
  const currency = book?.currency ?? sheet?.currency ?? pricing.currency ?? 'USD'
  if (book === undefined && sheet === undefined && pricing.currency === undefined && inlineRates) defaultsApplied.push({ field: '/pricing/currency', value: 'USD', reason: 'inline prices without a currency are taken as USD' })
  if (sheet?.source === 'price-sheet-file') defaultsApplied.push({ field: '/pricing/sheet', value: 'PRICE_SHEET_FILE', reason: 'the price sheet this service was started with' })

  const hourly = nodeHourly(node, model, discountPercent, currency, nodeNotes)
  const defaultBook = models.priceBooks.get(models.defaults.priceBook.value)
  if (defaultBook === undefined) throw new Error(`default price book "${models.defaults.priceBook.value}" not loaded`)

  let rates: Rates
  if (inlineRates) {
    rates = { source: 'inline', currency, cpuCoreHour: pricing.cpuCoreHour as number, memoryGiBHour: pricing.memoryGiBHour as number }
    if (model !== 'onDemand') notes.push(`Inline prices are taken as your ${MODEL_NAMES[model]} prices.`)
  } else if (sheet !== undefined) {
    rates = ratesUnderModel(sheet, model, discountPercent, 'an OpenCost sheet', sheet.source === 'sheet' ? '/pricing/sheet' : undefined)
  } else if (book !== undefined) {
    rates = ratesUnderModel({ source: book.id, currency: book.currency, cpuCoreHour: book.cpuCoreHour, memoryGiBHour: book.memoryGiBHour, asOf: book.asOf, ...spotOf(book) }, model, discountPercent, `price book "${book.id}"`)
  } else if (hourly !== null && (node.explicit || model !== 'onDemand' || discountPercent !== undefined)) {
    // OpenCost (spec appendix A, costmodel.go): keep the provider's CPU:RAM price ratio and the default sheet's GPU
    // price, and scale them so that the node's capacity as the kubelet reports it costs the node's price.
    const split = node.priceSplit ?? { cpuCoreHour: defaultBook.cpuCoreHour, memoryGiBHour: defaultBook.memoryGiBHour, label: `the ${defaultBook.id} CPU:memory price ratio` }
    const gpuHour = defaultBook.gpuHour ?? 0
    const scale = hourly / (node.vcpu * split.cpuCoreHour + node.kubeletMemoryGiB * split.memoryGiBHour + node.gpus * gpuHour)
    rates = { source: 'derived-from-node-price', currency, cpuCoreHour: split.cpuCoreHour * scale, memoryGiBHour: split.memoryGiBHour * scale, ...(node.gpus > 0 ? { gpuHour: gpuHour * scale } : {}), ...(node.nodeCatalogPrice === undefined ? {} : { asOf: node.nodeCatalogPrice.asOf }) }
    const gpuPart = node.gpus > 0 ? ` + ${node.gpus} GPU at ${defaultBook.id}'s ${gpuHour} per GPU-hour` : ''
    notes.push(`Unit prices derived from the node price by OpenCost's method: ${split.label}${gpuPart}, scaled so that ${node.vcpu} vCPU + ${Number(node.kubeletMemoryGiB.toFixed(3))} GiB (memory as the kubelet reports it)${node.gpus > 0 ? ` + ${node.gpus} GPU` : ''} cost ${Number(hourly.toPrecision(10))} ${currency} per hour.`)
  } else {
    if (currency !== defaultBook.currency) throw new DomainError([{ pointer: '/pricing/currency', detail: `no prices in ${currency}: give pricing.cpuCoreHour and pricing.memoryGiBHour, a sheet, or a node price` }])
    rates = ratesUnderModel({ source: defaultBook.id, currency, cpuCoreHour: defaultBook.cpuCoreHour, memoryGiBHour: defaultBook.memoryGiBHour, asOf: defaultBook.asOf }, model, discountPercent, `price book "${defaultBook.id}"`)
    defaultsApplied.push({ field: '/pricing/book', value: defaultBook.id, reason: models.defaults.priceBook.note ?? defaultBook.name })
  }

  // The prices the answer publishes are the prices it computes with, so that every cost can be recomputed
  // from the answer. Ten significant digits keep a derived price exact to a millionth of a cent per hour.
  const exact = (x: number) => Number(x.toPrecision(10))
  const entry = node.nodeCatalogPrice
  return {
    nodeHourly: hourly === null ? null : exact(hourly),
    pricing: {
      source: rates.source,
      model,
      currency: rates.currency,
      cpuCoreHour: exact(rates.cpuCoreHour),
      memoryGiBHour: exact(rates.memoryGiBHour),
      ...(rates.gpuHour === undefined ? {} : { gpuHour: exact(rates.gpuHour) }),
      ...(discountPercent === undefined ? {} : { discountPercent }),
      ...(rates.asOf === undefined ? {} : { asOf: rates.asOf }),
      ...(entry === undefined || hourly === null
        ? {}
        : { node: { nodeType: node.id, region: entry.region, hourly: exact(hourly), onDemandHourly: entry.hourly, asOf: entry.asOf, sources: entry.sources } })
    }
  }
}

function spotOf (book: { spotCpuCoreHour?: number, spotMemoryGiBHour?: number }): { spotCpuCoreHour?: number, spotMemoryGiBHour?: number } {
  return book.spotCpuCoreHour === undefined || book.spotMemoryGiBHour === undefined ? {} : { spotCpuCoreHour: book.spotCpuCoreHour, spotMemoryGiBHour: book.spotMemoryGiBHour }
}
