// The API as clients use it: through inject, and through a real listening socket with undici.
import t from 'tap'
import { request } from 'undici'
import { memoryGiB } from '../../src/models/quantity.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { near, shippedCatalog, testApp } from '../helpers.js'

const post = (body: unknown) => ({ method: 'POST' as const, url: '/estimate', payload: body as object })

t.test('POST /estimate with just {"pods": 100} prices the three meshes of the seed', async (t) => {
  const app = await testApp(t)
  const res = await app.inject(post({ pods: 100 }))
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json<EstimateResponse>()
  t.same(body.estimates.map((e) => e.mesh).sort(), [...shippedCatalog().meshes.keys()].sort())
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
  const catalog = shippedCatalog()
  // Worked from the model file, independently of the engine: per proxy, base memory + each term x its driver.
  // 100 pods at the default 35 rps each, 50 services (pods / 2), no scoping: every sidecar sees 50 services, 100 endpoints.
  const drivers: Record<string, number> = { thousandRequestsPerSecond: 0.035, visibleService: 50, visibleEndpoint: 100, meshedPod: 100, clusterPod: 100 }
  for (const [mesh, proxy] of [['istio', 'istio-proxy'], ['linkerd', 'linkerd-proxy']] as const) {
    const model = catalog.meshes.get(mesh)?.components.find((c) => c.id === proxy)
    const estimate = body.estimates.find((e) => e.mesh === mesh)?.components.find((c) => c.id === proxy)
    t.equal(estimate?.replicas, 100, `${mesh}: 100 sidecars`)
    for (const k of ['low', 'expected', 'high'] as const) {
      let perProxy = memoryGiB(model?.usage.memory[k] ?? '0')
      for (const term of model?.usage.scaling ?? []) if (term.memory) perProxy += memoryGiB(term.memory[k]) * (drivers[term.per] ?? NaN)
      t.ok(near(estimate?.usage.memoryGiB[k] ?? -1, 100 * perProxy, 1e-5), `${mesh} ${k}: 100 x ${(perProxy * 1024).toFixed(2)} MiB from the model file`)
    }
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
  t.equal(body.estimates.length, shippedCatalog().meshes.size)

  const bad = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods": -3}' })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
  t.match(await bad.body.json(), { errors: [{ pointer: '/pods' }] })

  const again = await request(`${address}/healthz`)
  t.equal(again.statusCode, 200, 'still serving after a bad request')
  await again.body.dump()
})
