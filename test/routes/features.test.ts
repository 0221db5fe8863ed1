// GET /features: every modelled mesh as a column, every cell sourced, the seed's values where they changed;
// and GET /meshes/{id} shows each model's day-2 operations.
import t from 'tap'
import { request } from 'undici'
import type { FeatureMatrix } from '../../src/schemas/recommend.js'
import { shippedModels, testApp } from '../helpers.js'

t.test('GET /features: features as rows, every mesh the service models as columns, each cell sourced', async (t) => {
  const app = await testApp(t)
  const res = await app.inject({ method: 'GET', url: '/features' })
  t.equal(res.statusCode, 200)
  const m = res.json<FeatureMatrix>()
  const ids = [...shippedModels().meshes.keys()].sort()
  t.same(m.meshes.map((x) => x.id).sort(), ids)
  t.same(m.features.map((f) => f.id), ['proxy', 'mtls', 'trafficSplitting', 'circuitBreaking', 'rateLimiting', 'retriesTimeouts', 'multiCluster', 'observability', 'complexity', 'cncfStatus'])
  for (const row of m.features) {
    t.same(Object.keys(row.cells).sort(), ids, `${row.id}: a cell per mesh`)
    for (const [mesh, cell] of Object.entries(row.cells)) {
      t.ok(cell.sources.length > 0 && cell.sources.every((s) => s.title.length > 0), `${row.id}/${mesh}: sourced`)
      t.ok(cell.how.length > 0)
    }
  }
  t.equal(m.features.find((f) => f.id === 'observability')?.requirement, 'l7Observability')
  t.ok(m.changedSinceSeed > 0)
})

t.test('the seed\'s cells that changed are shown beside the current ones', async (t) => {
  const app = await testApp(t)
  const m = (await app.inject({ method: 'GET', url: '/features' })).json<FeatureMatrix>()
  const cell = (feature: string, mesh: string) => m.features.find((f) => f.id === feature)?.cells[mesh]
  // the seed: "Weaknesses: Fewer advanced features (no circuit breaking, rate limiting)"
  t.match(cell('circuitBreaking', 'linkerd'), { support: 'yes', seed: 'No', since: '2.13' })
  t.match(cell('rateLimiting', 'linkerd'), { support: 'yes', seed: 'No', since: '2.17' })
  t.match(cell('trafficSplitting', 'linkerd'), { support: 'yes', seed: 'Yes (TrafficSplit)' })
  t.match(cell('mtls', 'cilium'), { support: 'partial', seed: 'Yes, via WireGuard or SPIFFE' })
  t.match(cell('mtls', 'istio'), { support: 'yes' })
  t.equal(cell('mtls', 'istio')?.seed, undefined, 'unchanged cells carry no seed value')
})

t.test('GET /meshes/{id} shows day-2 operations: the seed\'s health commands and the observability stack', async (t) => {
  const app = await testApp(t)
  const seedCommands: Record<string, string[]> = {
    istio: ['istioctl proxy-status', 'istioctl analyze'],
    linkerd: ['linkerd check', 'linkerd viz stat deploy -n <ns>'],
    cilium: ['cilium status', 'hubble observe --namespace <ns>']
  }
  for (const [mesh, commands] of Object.entries(seedCommands)) {
    const model = (await app.inject({ method: 'GET', url: `/meshes/${mesh}` })).json<{ operations?: { health: Array<{ command: string, seed?: boolean }>, observability: unknown[] } }>()
    t.same(model.operations?.health.filter((h) => h.seed === true).map((h) => h.command), commands, `${mesh}: the seed's commands`)
    t.ok((model.operations?.observability.length ?? 0) > 0, `${mesh}: observability stack`)
  }
})

t.test('GET /features over a real socket', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${address}/features`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const m = await res.body.json() as FeatureMatrix
  t.ok(m.meshes.some((x) => x.id === 'cilium'))
  const rec = await request(`${address}/recommend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ services: 40, requirements: { mtls: true }, priority: 'overhead', current: { cni: 'calico', mesh: 'istio' }, pods: 200 })
  })
  t.equal(rec.statusCode, 200)
  const body = await rec.body.json() as { candidates: Array<{ mesh: string, estimate?: { savingsAgainstCurrent?: { monthly: number } } }> }
  t.ok((body.candidates[0]?.estimate?.savingsAgainstCurrent?.monthly ?? 0) > 0)
  const bad = await request(`${address}/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ services: -1, priority: 'overhead' }) })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
  await bad.body.dump()
})
