// The API as clients use it: through inject, and through a real listening socket with undici.
import t from 'tap'
import { request } from 'undici'
import { memoryGiB } from '../../src/models/quantity.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { near, shippedModels, testApp } from '../helpers.js'

const post = (body: unknown) => ({ method: 'POST' as const, url: '/estimate', payload: body as object })

t.test('POST /estimate with just {"pods": 100} prices the three meshes of the seed', async (t) => {
  const app = await testApp(t)
  const res = await app.inject(post({ pods: 100 }))
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json<EstimateResponse>()
  t.same(body.estimates.map((e) => e.mesh).sort(), [...shippedModels().meshes.keys()].sort())
  t.ok(['istio', 'linkerd', 'cilium'].every((id) => body.estimates.some((e) => e.mesh === id)))
  t.equal(body.assumptions.basis, 'max')
  t.equal(body.assumptions.hoursPerMonth, 730)
  t.equal(body.assumptions.pricing.cpuCoreHour, 0.031611)
  t.equal(body.assumptions.pricing.memoryGiBHour, 0.004237)
  t.ok(body.assumptions.defaultsApplied.some((d) => d.field === '/traffic/requestsPerSecondPerPod'))
  for (const e of body.estimates) {
    t.ok(e.components.length > 0, `${e.mesh}: components`)
    t.ok(e.sources.length > 0, `${e.mesh}: sources`)
    for (const c of e.components) for (const id of c.sources) t.ok(e.sources.some((s) => s.id === id), `${e.mesh}/${c.id}: source ${id} listed`)
  }
  t.notMatch(res.body, /NaN|Infinity|null,"high"/, 'no NaN or Infinity')
})

t.test('monthly cost = (cpu x cpuCoreHour + memory x memoryGiBHour) x 730, to the cent, for every mesh and basis', async (t) => {
  const app = await testApp(t)
  for (const basis of ['requests', 'usage', 'max'] as const) {
    for (const pricing of [undefined, { cpuCoreHour: 0.05, memoryGiBHour: 0.007 }]) {
      const body = (await app.inject(post({ pods: 250, basis, ...(pricing ? { pricing } : {}) }))).json<EstimateResponse>()
      const { cpuCoreHour, memoryGiBHour } = body.assumptions.pricing
      for (const e of body.estimates) {
        for (const k of ['low', 'expected', 'high'] as const) {
          const monthly = (e.totals.cpuCores[k] * cpuCoreHour + e.totals.memoryGiB[k] * memoryGiBHour) * 730
          t.ok(Math.abs(monthly - e.cost.monthly[k]) < 0.01, `${basis} ${e.mesh} ${k}: ${monthly.toFixed(4)} vs ${e.cost.monthly[k]}`)
          t.ok(near(e.cost.yearly[k], e.cost.monthly[k] * 12, 0.07), `${basis} ${e.mesh} ${k}: yearly = 12 months`)
        }
        t.ok(e.cost.monthly.low <= e.cost.monthly.expected && e.cost.monthly.expected <= e.cost.monthly.high)
      }
    }
  }
})

t.test('the seed\'s 100-pod namespace on the usage basis agrees with the sourced figures in models/', async (t) => {
  const app = await testApp(t)
  const body = (await app.inject(post({ pods: 100, basis: 'usage' }))).json<EstimateResponse>()
  const models = shippedModels()
  // Worked from the model file, independently of the engine: per proxy, base memory + each term x its driver.
  // 100 pods at the default 35 rps each, 50 services (pods / 2), no scoping: every sidecar sees 50 services, 100 endpoints;
  // the default 16 connections per pod are the benchmarks' own, so the per-connection terms add 0.
  const drivers: Record<string, number> = { thousandRequestsPerSecond: 0.035, visibleService: 50, visibleEndpoint: 100, meshedPod: 100, clusterPod: 100, activeConnection: 0 }
  for (const [mesh, proxy] of [['istio', 'istio-proxy'], ['linkerd', 'linkerd-proxy']] as const) {
    const model = models.meshes.get(mesh)?.components.find((c) => c.id === proxy)
    const estimate = body.estimates.find((e) => e.mesh === mesh)?.components.find((c) => c.id === proxy)
    t.equal(estimate?.replicas, 100, `${mesh}: 100 sidecars`)
    let perProxy = memoryGiB(model?.usage.memory.expected ?? '0')
    for (const term of model?.usage.scaling ?? []) if (term.memory) perProxy += memoryGiB(term.memory.expected) * (drivers[term.per] ?? NaN)
    t.ok(near(estimate?.usage.memoryGiB.expected ?? -1, 100 * perProxy, 1e-5), `${mesh} expected: 100 x ${(perProxy * 1024).toFixed(2)} MiB from the model file`)
    // memory has no fitted slope (no load term), so its range is the expected value times the base's jackknife factors
    const factors = model?.usage.intervals?.memory
    t.ok(factors !== undefined && factors.slope === undefined, `${mesh}: a fitted memory interval, no slope`)
    t.ok(near(estimate?.usage.memoryGiB.low ?? -1, 100 * perProxy * (factors?.low ?? NaN), 1e-5), `${mesh} low: x ${factors?.low}`)
    t.ok(near(estimate?.usage.memoryGiB.high ?? -1, 100 * perProxy * (factors?.high ?? NaN), 1e-5), `${mesh} high: x ${factors?.high}`)
  }
  const cilium = body.estimates.find((e) => e.mesh === 'cilium')
  t.equal(cilium?.totals.sidecars, 0, 'Cilium injects no sidecars')
  t.ok(cilium?.components.every((c) => c.scope !== 'perPod'))
})

t.test('over a real socket with undici', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const ok = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pods: 100 }) })
  t.equal(ok.statusCode, 200)
  const body = await ok.body.json() as EstimateResponse
  t.equal(body.estimates.length, shippedModels().meshes.size)

  const bad = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods": -3}' })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
  t.match(await bad.body.json(), { errors: [{ pointer: '/pods' }] })

  const again = await request(`${address}/healthz`)
  t.equal(again.statusCode, 200, 'still serving after a bad request')
  await again.body.dump()
})

// Pricing models and price sheets. Expected figures are worked out by hand from the prices the node catalogs cite
// (models/nodes/*.yaml, with their asOf dates) and OpenCost's default sheet.
const postEstimate = async (app: Awaited<ReturnType<typeof testApp>>, payload: object) => app.inject({ method: 'POST', url: '/estimate', payload })

// OpenCost's default sheet: CPU 0.031611 per vCPU-hour, RAM 0.004237 per GiB-hour, GPU 0.95 per GPU-hour. OpenCost's
// aws.json and gcp.json hold the same CPU and RAM prices (models/nodes/*.yaml, priceSplit), so the CPU:RAM ratio of
// the split is 0.031611 : 0.004237 on both providers; the GPU term is the default sheet's 0.95.
const CPU = 0.031611
const RAM = 0.004237
const GPU = 0.95
// Memory as the kubelet reports it (models/nodes/*.yaml, kubeletMemory.capacityFraction, 2i2c's measured capacities):
// the split is over this, not the nominal size.
const AWS_KUBELET_FRACTION = 0.9326 // EKS m5.large: 7.461 of 8 GiB
const GCP_KUBELET_FRACTION = 0.970 // GKE n1-standard-2: 7.276 of 7.5 GiB

t.test('pricing.model "commitment1Year" on AWS prices at the 1-year Reserved Instance rate and says so', async (t) => {
  const app = await testApp(t)
  const res = await postEstimate(app, { pods: 300, meshes: ['istio'], cluster: { nodeType: 'aws/m5.large', region: 'eu-west-1' }, pricing: { model: 'commitment1Year' } })
  t.equal(res.statusCode, 200)
  const body = res.json<EstimateResponse>()
  const { pricing } = body.assumptions
  // AWS price list, EU (Ireland), m5.large Linux, Standard RI 1 year No Upfront: 0.067 per hour (on-demand 0.107), 2025-04-04.
  t.match(pricing, { model: 'commitment1Year', source: 'derived-from-node-price', asOf: '2025-04-04', node: { nodeType: 'aws/m5.large', region: 'eu-west-1', hourly: 0.067, onDemandHourly: 0.107, asOf: '2025-04-04', sources: ['aws-ec2-price-list'] } })
  // OpenCost's split of the node price over 2 vCPU and 8 x 0.9326 = 7.4608 GiB (kubelet memory):
  // 7.4608 x 0.004237 = 0.0316114096; 2 x 0.031611 = 0.063222; sum 0.0948334096
  // k = 0.067 / 0.0948334096 = 0.706502, so a vCPU-hour costs 0.031611 x k = 0.0223332 and a GiB-hour 0.004237 x k = 0.00299345
  t.ok(near(8 * AWS_KUBELET_FRACTION, 7.4608, 1e-12), 'the kubelet memory the split is over')
  const k = 0.067 / 0.0948334096
  t.ok(near(pricing.cpuCoreHour, 0.0223332, 1e-7), `cpu ${pricing.cpuCoreHour} = 0.0223332`)
  t.ok(near(pricing.cpuCoreHour, CPU * k, 1e-9), `cpu ${pricing.cpuCoreHour} = 0.031611 x k`)
  t.ok(near(pricing.memoryGiBHour, RAM * k, 1e-9))
  const istio = body.estimates[0]
  // 300 pods on m5.large (docs/models.md walk-through): 1.93 allocatable cores minus EKS's aws-node and kube-proxy
  // (0.15) leave 1.78; pods of 0.5 core fit 3 to a node (100 nodes), with Istio's 0.1-core sidecar 3 x 0.6 = 1.8 no
  // longer fits, so 2 to a node: 150 nodes, 50 more. 50 x 0.067 x 730 = 2,445.5
  t.equal(istio?.capacity.additionalNodes, 50)
  t.equal(istio?.cost.additionalNodesMonthly, 2445.5)
  const hourly = (istio?.totals.cpuCores.expected ?? 0) * pricing.cpuCoreHour + (istio?.totals.memoryGiB.expected ?? 0) * pricing.memoryGiBHour
  t.ok(near(istio?.cost.hourly.expected ?? 0, hourly, 1e-6), 'overhead charged at the commitment unit prices')

  // The 3-year term: 0.046 per hour in Ireland -> 50 x 0.046 x 730 = 1,679
  const three = (await postEstimate(app, { pods: 300, meshes: ['istio'], cluster: { nodeType: 'aws/m5.large', region: 'eu-west-1' }, pricing: { model: 'commitment3Year' } })).json<EstimateResponse>()
  t.equal(three.estimates[0]?.cost.additionalNodesMonthly, 1679)
  t.equal(three.assumptions.pricing.model, 'commitment3Year')
})

t.test('pricing.model "spot" on GCP prices at the published Spot price', async (t) => {
  const app = await testApp(t)
  const body = (await postEstimate(app, { pods: 100, meshes: ['linkerd'], cluster: { nodeType: 'gcp/n2-standard-4', region: 'us-central1' }, pricing: { model: 'spot' } })).json<EstimateResponse>()
  // pricing.yml (2026-07-30), n2-standard-4, us-central1: hour 0.194236, hour_spot 0.09212.
  t.match(body.assumptions.pricing, { model: 'spot', asOf: '2026-07-30', node: { hourly: 0.09212, onDemandHourly: 0.194236 } })
  // Split over 4 vCPU and 16 x 0.970 = 15.52 GiB (kubelet memory): 4 x 0.031611 = 0.126444; 15.52 x 0.004237 = 0.06575824;
  // sum 0.19220224. The Spot CPU price is 0.031611 x 0.09212 / 0.19220224 = 0.0029120053 / 0.19220224 = 0.0151507
  t.ok(near(16 * GCP_KUBELET_FRACTION, 15.52, 1e-12), 'the kubelet memory the split is over')
  t.ok(near(body.assumptions.pricing.cpuCoreHour, 0.0151507, 1e-7), `${body.assumptions.pricing.cpuCoreHour}`)
  // and the Spot GiB-hour 0.004237 x 0.09212 / 0.19220224 = 0.00039031244 / 0.19220224 = 0.00203074
  t.ok(near(body.assumptions.pricing.memoryGiBHour, 0.00203074, 1e-8), `${body.assumptions.pricing.memoryGiBHour}`)
  t.ok(body.assumptions.defaultsApplied.every((d) => d.field !== '/pricing/model'), 'the model was given, not defaulted')
})

t.test('no static Spot price (AWS) or commitment (Azure): a 422 that says so; pricing.discountPercent is taken instead', async (t) => {
  const app = await testApp(t)
  const spot = await postEstimate(app, { pods: 300, cluster: { nodeType: 'aws/m5.large', region: 'eu-west-1' }, pricing: { model: 'spot' } })
  t.equal(spot.statusCode, 422)
  t.match(spot.json(), { errors: [{ pointer: '/pricing/model', detail: /AWS publishes no static Spot price.*onDemand, commitment1Year, commitment3Year.*discountPercent.*0\.107 USD per hour as of 2025-04-04/ }] })
  const azure = await postEstimate(app, { pods: 300, cluster: { nodeType: 'azure/Standard_D4s_v5', region: 'westeurope' }, pricing: { model: 'commitment3Year' } })
  t.equal(azure.statusCode, 422)
  t.match(azure.json().detail, /no dated azure 3-year commitment price.*priced models there: onDemand/)

  // 70% off the Ireland on-demand price: 0.107 x 0.30 = 0.0321 per hour; the 50 more nodes above: 50 x 0.0321 x 730 = 1,171.65
  const body = (await postEstimate(app, { pods: 300, meshes: ['istio'], cluster: { nodeType: 'aws/m5.large', region: 'eu-west-1' }, pricing: { model: 'spot', discountPercent: 70 } })).json<EstimateResponse>()
  t.match(body.assumptions.pricing, { model: 'spot', discountPercent: 70, node: { hourly: 0.0321, onDemandHourly: 0.107 } })
  t.equal(body.estimates[0]?.cost.additionalNodesMonthly, 1171.65)
  t.equal((await postEstimate(app, { pods: 10, pricing: { discountPercent: 100 } })).statusCode, 400, 'a 100% discount is not a price')
  t.equal((await postEstimate(app, { pods: 10, pricing: { model: 'reserved' } })).statusCode, 400)
})

t.test('the default pricing is on-demand, and the answer says which model and which dates', async (t) => {
  const app = await testApp(t)
  const body = (await postEstimate(app, { pods: 100, meshes: ['linkerd'] })).json<EstimateResponse>()
  t.match(body.assumptions.pricing, { model: 'onDemand', source: 'opencost-default', cpuCoreHour: CPU, memoryGiBHour: RAM, asOf: '2020-02-12', node: { nodeType: 'gcp/n2-standard-4', hourly: 0.194236, asOf: '2026-07-30' } })
  t.ok(body.assumptions.defaultsApplied.some((d) => d.field === '/pricing/model' && d.value === 'onDemand'))
})

t.test('a GPU node: OpenCost\'s split gives the GPU its share of the node price', async (t) => {
  const app = await testApp(t)
  const { pricing } = (await postEstimate(app, { pods: 100, meshes: ['linkerd'], cluster: { nodeType: 'aws/g4dn.xlarge', region: 'us-east-1' } })).json<EstimateResponse>().assumptions
  // g4dn.xlarge us-east-1 0.526 per hour, 4 vCPU, 16 GiB (16 x 0.9326 = 14.9216 as the kubelet reports it), 1 T4:
  // 4 x 0.031611 = 0.126444; 14.9216 x 0.004237 = 0.0632228192; 1 x 0.95; sum 1.1396668192
  // k = 0.526 / 1.1396668192 = 0.461538: a vCPU-hour 0.031611 x k = 0.0145897, the GPU-hour 0.95 x k = 0.438461
  t.ok(near(16 * AWS_KUBELET_FRACTION, 14.9216, 1e-12), 'the kubelet memory the split is over')
  const k = 0.526 / 1.1396668192
  t.ok(near(pricing.cpuCoreHour, CPU * k, 1e-9) && near(pricing.gpuHour ?? 0, GPU * k, 1e-9), `${pricing.cpuCoreHour}, GPU ${pricing.gpuHour}`)
  t.ok(near(pricing.cpuCoreHour, 0.0145897, 1e-7) && near(pricing.gpuHour ?? 0, 0.438461, 1e-6))
  // Without the GPU term the mesh's CPU would be charged 0.526 / 0.1896668192 x 0.031611 = 0.0877 per core-hour, 6.0x too much.
  t.ok(pricing.cpuCoreHour < 0.015)
})

t.test('pricing.sheet in OpenCost\'s format is used, in its own currency', async (t) => {
  const app = await testApp(t)
  const sheet = { provider: 'custom', description: 'Hetzner, negotiated', currencyCode: 'EUR', CPU: '0.05', spotCPU: '0.02', RAM: '0.01', spotRAM: '0.004', GPU: '0.95', storage: '0.00005479452', customPricesEnabled: 'true' }
  const body = (await postEstimate(app, { pods: 100, meshes: ['linkerd'], pricing: { sheet } })).json<EstimateResponse>()
  t.match(body.assumptions.pricing, { source: 'sheet', model: 'onDemand', currency: 'EUR', cpuCoreHour: 0.05, memoryGiBHour: 0.01 })
  const linkerd = body.estimates[0]
  t.equal(linkerd?.cost.currency, 'EUR')
  t.ok(near(linkerd?.cost.hourly.expected ?? 0, (linkerd?.totals.cpuCores.expected ?? 0) * 0.05 + (linkerd?.totals.memoryGiB.expected ?? 0) * 0.01, 1e-6))
  t.equal(linkerd?.cost.additionalNodesMonthly, null, 'the node price is in USD: no exchange rate is invented')

  const spot = (await postEstimate(app, { pods: 100, meshes: ['linkerd'], pricing: { model: 'spot', sheet } })).json<EstimateResponse>()
  t.match(spot.assumptions.pricing, { source: 'sheet', model: 'spot', cpuCoreHour: 0.02, memoryGiBHour: 0.004 })
  const noSpot = await postEstimate(app, { pods: 100, pricing: { model: 'spot', sheet: { CPU: '0.05', RAM: '0.01' } } })
  t.equal(noSpot.statusCode, 422)
  t.match(noSpot.json(), { errors: [{ pointer: '/pricing/sheet/spotCPU' }] })
  // 25% off the sheet under a 1-year commitment: 0.05 x 0.75 = 0.0375
  const committed = (await postEstimate(app, { pods: 100, meshes: ['linkerd'], pricing: { model: 'commitment1Year', discountPercent: 25, sheet } })).json<EstimateResponse>()
  t.ok(near(committed.assumptions.pricing.cpuCoreHour, 0.0375, 1e-12))
  t.equal((await postEstimate(app, { pods: 100, pricing: { sheet, book: 'opencost-default' } })).statusCode, 422, 'one source of prices')
})

t.test('a bad sheet is a 400 naming the field', async (t) => {
  const app = await testApp(t)
  const cases: Array<[object, string]> = [
    [{ CPU: 'cheap', RAM: '0.004237' }, '/pricing/sheet/CPU'],
    [{ CPU: '0.031611' }, '/pricing/sheet/RAM'],
    [{ CPU: '-1', RAM: '0.004237' }, '/pricing/sheet/CPU'],
    [{ CPU: 0.031611, RAM: '0.004237' }, '/pricing/sheet/CPU'], // OpenCost writes prices as strings
    [{ CPU: '0.031611', RAM: '0.004237', spotRAM: 'NaN' }, '/pricing/sheet/spotRAM'],
    [{ CPU: '0.031611', RAM: '0.004237', currencyCode: 'euro' }, '/pricing/sheet/currencyCode']
  ]
  for (const [sheet, pointer] of cases) {
    const res = await postEstimate(app, { pods: 10, pricing: { sheet } })
    t.equal(res.statusCode, 400, JSON.stringify(sheet))
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.ok(res.json<{ errors: Array<{ pointer: string }> }>().errors.some((e) => e.pointer === pointer), `${JSON.stringify(sheet)} names ${pointer}`)
  }
})

t.test('the CSV says which model and which price date', async (t) => {
  const app = await testApp(t)
  const res = await app.inject({ method: 'POST', url: '/estimate?format=csv', payload: { pods: 300, meshes: ['istio'], cluster: { nodeType: 'aws/m5.large', region: 'eu-west-1' }, pricing: { model: 'commitment3Year' } } })
  const [header, ...rows] = res.body.trimEnd().split('\r\n')
  t.match(header, /,x_PricingModel,x_PriceAsOf$/)
  t.ok(rows.length > 0 && rows.every((row) => row.endsWith(',commitment3Year,2025-04-04') && row.includes(',eu-west-1,')), 'every row: the model, the price list\'s date, the region')
})

t.test('GET /estimate takes pricingModel and discountPercent', async (t) => {
  const app = await testApp(t)
  const res = await app.inject('/estimate?pods=300&meshes=istio&nodeType=aws/m5.large&region=eu-west-1&pricingModel=spot&discountPercent=70')
  t.equal(res.statusCode, 200)
  // As in the POST case above: 50 more nodes at 0.107 x 0.30 = 0.0321 per hour: 50 x 0.0321 x 730 = 1,171.65
  t.equal(res.json<EstimateResponse>().estimates[0]?.cost.additionalNodesMonthly, 1171.65)
})
