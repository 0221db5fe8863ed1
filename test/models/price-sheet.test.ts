// PRICE_SHEET_FILE: an OpenCost sheet read at start-up; a bad one stops the start, naming every field.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { loadPriceSheet } from '../../src/models/price-sheet.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { shippedModels, testApp } from '../helpers.js'

// OpenCost's configs/default.json @ 0d1f69cc, as a team's OpenCost would have it (plus a currency).
const DEFAULT_JSON = {
  provider: 'custom',
  description: 'Default prices based on GCP us-central1',
  CPU: '0.031611',
  spotCPU: '0.006655',
  RAM: '0.004237',
  spotRAM: '0.000892',
  GPU: '0.95',
  storage: '0.00005479452',
  zoneNetworkEgress: '0.01',
  regionNetworkEgress: '0.01',
  internetNetworkEgress: '0.12',
  natGatewayEgress: '0.045',
  natGatewayIngress: '0.045',
  firstFiveForwardingRulesCost: '0.0',
  additionalForwardingRuleCost: '0.0',
  LBIngressDataCost: '0.0'
}

t.test('OpenCost\'s own default sheet loads as it is', async (t) => {
  const dir = t.testdir({ 'default.json': JSON.stringify(DEFAULT_JSON) })
  t.same(loadPriceSheet(join(dir, 'default.json')), { currency: 'USD', cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, gpuHour: 0.95, spotCpuCoreHour: 0.006655, spotMemoryGiBHour: 0.000892 })
})

t.test('a bad sheet file stops the start, listing every field', async (t) => {
  const dir = t.testdir({
    'bad.json': JSON.stringify({ ...DEFAULT_JSON, CPU: 'free', spotRAM: '-0.1', currencyCode: 'euros' }),
    'broken.json': '{ "CPU": '
  })
  let message = ''
  try { loadPriceSheet(join(dir, 'bad.json')) } catch (err) { message = (err as Error).message }
  for (const field of [/\(3 problems\)/, /\n {2}\/CPU: /, /\n {2}\/spotRAM: /, /\n {2}\/currencyCode: /]) t.match(message, field)
  t.throws(() => loadPriceSheet(join(dir, 'broken.json')), /PRICE_SHEET_FILE=.*broken\.json: /)
  t.throws(() => loadPriceSheet(join(dir, 'missing.json')), /PRICE_SHEET_FILE=.*missing\.json: .*ENOENT/)
  await t.rejects(buildApp(createConfig({ PRICE_SHEET_FILE: join(dir, 'bad.json') }, { logLevel: 'silent' }), { logger: false, models: shippedModels() }), /\/CPU: /)
})

t.test('PRICE_SHEET_FILE prices the requests that name no prices, in its currency', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'team.json')
  writeFileSync(file, JSON.stringify({ ...DEFAULT_JSON, currencyCode: 'EUR', CPU: '0.028', RAM: '0.0038', spotCPU: '0.009', spotRAM: '0.0012' }))
  // The shared helper: no load shedding, so a busy machine cannot turn an answer into a 503.
  const app = await testApp(t, shippedModels(), { priceSheetFile: file })
  const post = async (payload: object) => (await app.inject({ method: 'POST', url: '/estimate', payload })).json<EstimateResponse>()
  const plain = await post({ pods: 100, meshes: ['linkerd'] })
  t.match(plain.assumptions.pricing, { source: 'price-sheet-file', currency: 'EUR', cpuCoreHour: 0.028, memoryGiBHour: 0.0038, model: 'onDemand' })
  t.ok(plain.assumptions.defaultsApplied.some((d) => d.field === '/pricing/sheet' && d.value === 'PRICE_SHEET_FILE'))
  t.equal(plain.estimates[0]?.cost.currency, 'EUR')
  t.match((await post({ pods: 100, meshes: ['linkerd'], pricing: { model: 'spot' } })).assumptions.pricing, { source: 'price-sheet-file', cpuCoreHour: 0.009, memoryGiBHour: 0.0012 })
  const { books } = (await app.inject('/pricing')).json<{ books: Array<{ id: string, default: boolean, currency: string }> }>()
  t.same(books.filter((b) => b.default).map((b) => b.id), ['price-sheet-file'], 'GET /pricing marks the sheet as the default')
  // A request's own prices still win.
  t.match((await post({ pods: 100, meshes: ['linkerd'], pricing: { book: 'opencost-default' } })).assumptions.pricing, { source: 'opencost-default', currency: 'USD' })
})
