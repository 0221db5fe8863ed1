// Pricing models on the fixture's round numbers: lab/4x16 in r1 costs 0.2 on demand, 0.06 on Spot and 0.12 under
// a 1-year commitment per hour; the fixture's default book charges 0.04 per vCPU-hour and 0.005 per GiB-hour, and the
// lab provider's OpenCost split is 0.03 : 0.006.
import t, { type Test } from 'tap'
import type { Models } from '../../src/models/load.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { DomainError } from '../../src/errors.js'
import { pricedModels, resolvePricing, type PricedNode } from '../../src/engine/pricing.js'
import { resolveScenario } from '../../src/engine/scenario.js'
import { fixtureModels, near } from '../helpers.js'

const scenario = (pricing: object, cluster: object = { nodeType: 'lab/4x16', region: 'r1' }) => resolveScenario({ pods: 10, cluster, pricing }, fixtureModels())

t.test('each model takes its own node price; unit prices follow it by OpenCost\'s split', async (t) => {
  // The split keeps the lab provider's CPU:RAM ratio (fixture priceSplit 0.03 per vCPU-hour, 0.006 per GiB-hour, not
  // the book's 0.04 : 0.005) over 4 vCPU and 16 x 1 = 16 GiB as the kubelet reports it (capacityFraction 1):
  // 4 x 0.03 + 16 x 0.006 = 0.12 + 0.096 = 0.216, so k = price / 0.216
  // (onDemand: 0.03 x 0.2 / 0.216 = 0.0277778 per vCPU-hour; Spot: 0.03 x 0.06 / 0.216 = 0.00833333)
  for (const [model, hourly] of [['onDemand', 0.2], ['spot', 0.06], ['commitment1Year', 0.12]] as const) {
    const s = scenario({ model })
    t.equal(s.node.hourlyPrice, hourly, `${model}: node`)
    t.ok(near(s.prices.cpuCoreHour, 0.03 * hourly / 0.216, 1e-10) && near(s.prices.memoryGiBHour, 0.006 * hourly / 0.216, 1e-10), `${model}: units (published to 10 significant digits)`)
    t.match(s.prices, { model, asOf: '2026-01-01', node: { hourly, onDemandHourly: 0.2 } })
  }
})

t.test('a pricing model the node catalog does not price needs a discount; the discount is off the on-demand price', async (t) => {
  t.throws(() => scenario({ model: 'commitment3Year' }), /\/pricing\/model: .*priced models there: onDemand, spot, commitment1Year/)
  const s = scenario({ model: 'commitment3Year', discountPercent: 40 }) // 0.2 x 0.6 = 0.12
  t.ok(near(s.node.hourlyPrice ?? 0, 0.12, 1e-12))
  t.equal(s.prices.discountPercent, 40)
  t.ok(near(scenario({ model: 'spot', discountPercent: 50 }).node.hourlyPrice ?? 0, 0.1, 1e-12), 'the user\'s discount replaces the node catalog\'s Spot price')
})

t.test('books: on-demand rates, a discount off them, or a 422 for a model they lack', async (t) => {
  t.match(scenario({ book: 'lab-book' }).prices, { source: 'lab-book', cpuCoreHour: 0.04, memoryGiBHour: 0.005, asOf: '2026-01-01' })
  t.ok(near(scenario({ book: 'lab-book', discountPercent: 25 }).prices.cpuCoreHour, 0.03, 1e-12))
  t.throws(() => scenario({ book: 'lab-book', model: 'spot' }), /\/pricing\/discountPercent: .*"lab-book" has no Spot prices/)
  t.throws(() => scenario({ cpuCoreHour: 0.1, memoryGiBHour: 0.01, discountPercent: 10 }), /\/pricing\/discountPercent: .*inline prices are already yours/)
})

t.test('a custom node\'s price is its price under the model, less any discount', async (t) => {
  const s = scenario({ model: 'spot', discountPercent: 10 }, { node: { vcpu: 4, memoryGiB: 16, maxPods: 10, hourlyPrice: 0.5 } })
  t.ok(near(s.node.hourlyPrice ?? 0, 0.45, 1e-12))
  t.equal(s.prices.node, undefined, 'no node catalog price')
})

// resolvePricing in-process: every rule that the route tests reached over HTTP, with hand-worked prices.
const resolve = (pricing: object, node: Partial<PricedNode> = {}, models: Models = fixtureModels()) => {
  const defaultsApplied: Array<{ field: string, value: unknown, reason: string }> = []
  const notes: string[] = []
  const entry = fixtureModels().nodeTypes.get('lab/4x16')?.nodeType.prices[0]
  const n: PricedNode = { id: 'lab/4x16', vcpu: 4, kubeletMemoryGiB: 16, gpus: 0, priceSplit: { cpuCoreHour: 0.03, memoryGiBHour: 0.006, label: 'the lab split' }, nodeCatalogPrice: entry, explicit: true, ...node }
  const r = resolvePricing({ pods: 10, pricing } as EstimateRequest, models, n, defaultsApplied as never, notes)
  return { ...r, defaultsApplied, notes }
}
const errorOf = (t: Test, fn: () => unknown) => (t.throws(fn, DomainError) as unknown as InstanceType<typeof DomainError>).errors

t.test('resolvePricing: one source of prices, both inline prices, currencies that agree', async (t) => {
  const sheet = { CPU: '0.1', RAM: '0.01' }
  t.same(errorOf(t, () => resolve({ book: 'lab-book', sheet })), [{ pointer: '/pricing/sheet', detail: 'give one of pricing.book, pricing.sheet or inline prices, not book and sheet' }])
  t.same(errorOf(t, () => resolve({ book: 'lab-book', cpuCoreHour: 0.1, memoryGiBHour: 0.01 })), [{ pointer: '/pricing/book', detail: 'give one of pricing.book, pricing.sheet or inline prices, not book and inline prices' }])
  t.same(errorOf(t, () => resolve({ sheet, cpuCoreHour: 0.1, memoryGiBHour: 0.01 })), [{ pointer: '/pricing/sheet', detail: 'give one of pricing.book, pricing.sheet or inline prices, not inline prices and sheet' }])
  t.same(errorOf(t, () => resolve({ cpuCoreHour: 0.1 })), [{ pointer: '/pricing/memoryGiBHour', detail: 'inline prices need both cpuCoreHour and memoryGiBHour' }])
  t.same(errorOf(t, () => resolve({ memoryGiBHour: 0.1 })), [{ pointer: '/pricing/cpuCoreHour', detail: 'inline prices need both cpuCoreHour and memoryGiBHour' }])
  t.same(errorOf(t, () => resolve({ cpuCoreHour: 0.1, memoryGiBHour: 0.01, discountPercent: 5 })), [{ pointer: '/pricing/discountPercent', detail: 'applies to list prices (the node catalog\'s, a book\'s or a sheet\'s); inline prices are already yours' }])
  t.same(errorOf(t, () => resolve({ book: 'nope' })), [{ pointer: '/pricing/book', detail: 'unknown price book "nope"; see GET /pricing' }])
  t.same(errorOf(t, () => resolve({ book: 'lab-book', currency: 'EUR' })), [{ pointer: '/pricing/currency', detail: 'price book "lab-book" is in USD; no exchange rates are applied' }])
  t.equal(resolve({ book: 'lab-book', currency: 'USD' }).pricing.currency, 'USD')
  t.same(errorOf(t, () => resolve({ sheet: { ...sheet, currencyCode: 'EUR' }, currency: 'USD' })), [{ pointer: '/pricing/currency', detail: 'the price sheet is in EUR (its currencyCode); no exchange rates are applied' }])
  t.equal(resolve({ sheet: { ...sheet, currencyCode: 'EUR' }, currency: 'EUR' }).pricing.currency, 'EUR')
  t.same(errorOf(t, () => resolve({ currency: 'EUR' }, { explicit: false })), [{ pointer: '/pricing/currency', detail: 'no prices in EUR: give pricing.cpuCoreHour and pricing.memoryGiBHour, a sheet, or a node price' }])
})

t.test('resolvePricing: inline prices and sheets', async (t) => {
  const inline = resolve({ cpuCoreHour: 0.1, memoryGiBHour: 0.01 })
  t.same(inline.pricing, { source: 'inline', model: 'onDemand', currency: 'USD', cpuCoreHour: 0.1, memoryGiBHour: 0.01, node: { nodeType: 'lab/4x16', region: 'r1', hourly: 0.2, onDemandHourly: 0.2, asOf: '2026-01-01', sources: ['fixture'] } })
  t.same(inline.defaultsApplied, [
    { field: '/pricing/model', value: 'onDemand', reason: 'list prices, as the providers publish them' },
    { field: '/pricing/currency', value: 'USD', reason: 'inline prices without a currency are taken as USD' }
  ])
  t.same(inline.notes, [])
  const eur = resolve({ cpuCoreHour: 0.1, memoryGiBHour: 0.01, currency: 'EUR', model: 'spot' })
  t.equal(eur.pricing.currency, 'EUR')
  t.same(eur.defaultsApplied, [], 'model and currency given')
  t.equal(eur.nodeHourly, null, 'a USD node price is not converted')
  t.equal(eur.pricing.node, undefined)
  t.same(eur.notes, [
    'The node\'s list price is in USD and prices are in EUR: no exchange rate is applied, so the cost of additional nodes is not given.',
    'Inline prices are taken as your Spot prices.'
  ])

  const sheet = resolve({ sheet: { CPU: '0.1', RAM: '0.01', GPU: '2.5' } })
  t.match(sheet.pricing, { source: 'sheet', currency: 'USD', cpuCoreHour: 0.1, memoryGiBHour: 0.01, gpuHour: 2.5 })
  t.notOk('asOf' in sheet.pricing, 'a sheet has no date')
  t.same(errorOf(t, () => resolve({ sheet: { CPU: '0.1', RAM: '0.01' }, model: 'spot' })), [{ pointer: '/pricing/sheet/spotCPU', detail: 'is needed for pricing.model "spot" (or give pricing.discountPercent, your discount off the sheet\'s CPU and RAM prices)' }])
  t.same(errorOf(t, () => resolve({ sheet: { CPU: '0.1', RAM: '0.01', spotCPU: '0.03' }, model: 'spot' })), [{ pointer: '/pricing/sheet/spotRAM', detail: 'is needed for pricing.model "spot" (or give pricing.discountPercent, your discount off the sheet\'s CPU and RAM prices)' }])
  t.match(resolve({ sheet: { CPU: '0.1', RAM: '0.01', spotCPU: '0.03', spotRAM: '0.004' }, model: 'spot' }).pricing, { cpuCoreHour: 0.03, memoryGiBHour: 0.004 })
  // a discount off the sheet's on-demand prices: 0.1 x (1 - 0.5) = 0.05, 0.01 x 0.5 = 0.005
  t.match(resolve({ sheet: { CPU: '0.1', RAM: '0.01', spotCPU: '0.03', spotRAM: '0.004' }, model: 'spot', discountPercent: 50 }).pricing, { cpuCoreHour: 0.05, memoryGiBHour: 0.005, discountPercent: 50 })
  t.same(errorOf(t, () => resolve({ sheet: { CPU: '0.1', RAM: '0.01' }, model: 'commitment1Year' })), [{ pointer: '/pricing/discountPercent', detail: 'is needed for pricing.model "commitment1Year": an OpenCost sheet has no 1-year commitment prices, so give your discount off its prices' }])

  // PRICE_SHEET_FILE: the service's sheet prices what names no other prices
  const withFile = { ...fixtureModels(), priceSheet: { currency: 'USD', cpuCoreHour: 0.2, memoryGiBHour: 0.02 } } as Models
  const file = resolve({}, {}, withFile)
  t.match(file.pricing, { source: 'price-sheet-file', cpuCoreHour: 0.2, memoryGiBHour: 0.02 })
  t.same(file.defaultsApplied.map((d) => d.field), ['/pricing/model', '/pricing/sheet'])
  t.equal(file.defaultsApplied[1]?.value, 'PRICE_SHEET_FILE')
  t.equal(resolve({ book: 'lab-book' }, {}, withFile).pricing.source, 'lab-book', 'a book wins over the file')
  t.equal(resolve({ cpuCoreHour: 1, memoryGiBHour: 1 }, {}, withFile).pricing.source, 'inline', 'inline prices win over the file')
  // a spot sheet from the file without spot prices asks for a discount, not for a sheet field
  t.same(errorOf(t, () => resolve({ model: 'spot' }, {}, withFile)), [{ pointer: '/pricing/discountPercent', detail: 'is needed for pricing.model "spot": an OpenCost sheet has no Spot prices, so give your discount off its prices' }])
})

t.test('resolvePricing: the node price under each model, and unit prices derived from it', async (t) => {
  // a 30% discount off 0.2 on demand: 0.2 x 0.7 = 0.14 (0.13999999999999999 in floating point, 0.14 at 10 digits)
  const d = resolve({ discountPercent: 30 })
  t.equal(d.nodeHourly, 0.14)
  t.same(d.pricing.node, { nodeType: 'lab/4x16', region: 'r1', hourly: 0.14, onDemandHourly: 0.2, asOf: '2026-01-01', sources: ['fixture'] })
  // derived unit prices: 0.14 / (4 x 0.03 + 16 x 0.006) = 0.14 / 0.216 = 0.648148148...;
  // CPU 0.03 x 0.648148148 = 0.01944444444, memory 0.006 x 0.648148148 = 0.003888888889 (10 significant digits)
  t.equal(d.pricing.cpuCoreHour, 0.01944444444)
  t.equal(d.pricing.memoryGiBHour, 0.003888888889)
  t.same(d.notes, ['Unit prices derived from the node price by OpenCost\'s method: the lab split, scaled so that 4 vCPU + 16 GiB (memory as the kubelet reports it) cost 0.14 USD per hour.'])
  t.equal(d.pricing.source, 'derived-from-node-price')
  t.equal(d.pricing.asOf, '2026-01-01')
  // the default node (not named) on demand: the default book, not the node price
  const plain = resolve({}, { explicit: false })
  t.match(plain.pricing, { source: 'lab-book', cpuCoreHour: 0.04, memoryGiBHour: 0.005, asOf: '2026-01-01' })
  t.same(plain.defaultsApplied[1], { field: '/pricing/book', value: 'lab-book', reason: 'Lab prices (test fixture)' })
  t.equal(plain.nodeHourly, 0.2)
  // the default node under Spot: derived from its Spot price 0.06 (the book has no Spot prices)
  t.equal(resolve({ model: 'spot' }, { explicit: false }).pricing.source, 'derived-from-node-price')
  t.equal(resolve({ discountPercent: 10 }, { explicit: false }).pricing.source, 'derived-from-node-price')

  // a GPU node with no provider split: the default book's ratio and GPU price. Book 0.04 / 0.005 / 0.6 per GPU:
  // 4 x 0.04 + 16 x 0.005 + 1 x 0.6 = 0.16 + 0.08 + 0.6 = 0.84, so a node at 0.84 an hour scales them by 1
  const book = fixtureModels().priceBooks.get('lab-book')
  const gpuBook = { ...fixtureModels(), priceBooks: new Map([['lab-book', { ...book, gpuHour: 0.6 }]]) } as unknown as Models
  const gpu = resolve({}, { id: 'custom', gpus: 1, priceSplit: undefined, nodeCatalogPrice: undefined, customHourly: 0.84 }, gpuBook)
  t.same(gpu.pricing, { source: 'derived-from-node-price', model: 'onDemand', currency: 'USD', cpuCoreHour: 0.04, memoryGiBHour: 0.005, gpuHour: 0.6 })
  t.same(gpu.notes, ['Unit prices derived from the node price by OpenCost\'s method: the lab-book CPU:memory price ratio + 1 GPU at lab-book\'s 0.6 per GPU-hour, scaled so that 4 vCPU + 16 GiB (memory as the kubelet reports it) + 1 GPU cost 0.84 USD per hour.'])
  t.equal(gpu.nodeHourly, 0.84)
  // without a GPU price in the book a GPU costs 0: 0.48 / (0.16 + 0.08) = 2, so 0.08 and 0.01
  t.match(resolve({}, { id: 'custom', gpus: 1, priceSplit: undefined, nodeCatalogPrice: undefined, customHourly: 0.48 }).pricing, { cpuCoreHour: 0.08, memoryGiBHour: 0.01, gpuHour: 0 })
  // a custom node without a price: the default book
  const unpriced = resolve({}, { id: 'custom', nodeCatalogPrice: undefined })
  t.equal(unpriced.nodeHourly, null)
  t.equal(unpriced.pricing.source, 'lab-book')
  t.equal(unpriced.pricing.node, undefined)
  t.equal(resolve({ discountPercent: 20 }, { id: 'custom', nodeCatalogPrice: undefined, customHourly: 0.5 }).nodeHourly, 0.4, '0.5 x 0.8')
})

t.test('resolvePricing: a pricing model the node catalog has no price for, in the provider\'s words', async (t) => {
  const price = { region: 'r9', currency: 'USD', asOf: '2026-02-02', hourly: 0.3, sources: [] }
  t.same(errorOf(t, () => resolve({ model: 'spot' }, { id: 'aws/x.large', nodeCatalogPrice: price })), [{
    pointer: '/pricing/model',
    detail: 'AWS publishes no static Spot price (Spot prices move with demand) for aws/x.large in r9; priced models there: onDemand. Give pricing.discountPercent, your discount off the on-demand price (0.3 USD per hour as of 2026-02-02).'
  }])
  t.match(errorOf(t, () => resolve({ model: 'spot' }, { id: 'gcp/e2', nodeCatalogPrice: price }))[0]?.detail, /^the node catalog has no dated gcp Spot price for gcp\/e2 in r9;/)
  t.match(errorOf(t, () => resolve({ model: 'commitment3Year' }, { id: 'azure/d4', nodeCatalogPrice: price }))[0]?.detail, /^the node catalog has no dated azure 3-year commitment price for azure\/d4 in r9;/)
  t.match(errorOf(t, () => resolve({ model: 'commitment1Year' }, { id: 'azure/d4', nodeCatalogPrice: price }))[0]?.detail, /^the node catalog has no dated azure 1-year commitment price/)
  t.same(pricedModels({ ...price, spotHourly: 0.1, commitment3YearHourly: 0.2 } as never), ['onDemand', 'spot', 'commitment3Year'])
})
