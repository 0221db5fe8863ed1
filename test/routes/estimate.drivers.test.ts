// The drivers a user may not know, as inputs of POST /estimate: connections held open per pod (proxy and ztunnel
// memory) and pod churn per minute (istiod). Expected differences are worked out by hand from the figures the
// model files cite: Open Service Mesh's 5 MB per 100 connections for Envoy, linkerd/linkerd2#4900's 26 kB for
// linkerd2-proxy, the ztunnel chart's 512Mi for 100k connections, AKS's churn tables for istiod.
import t from 'tap'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { cpuCores, memoryGiB } from '../../src/models/quantity.js'
import type { ScalingDriver } from '../../src/models/schema.js'
import { near, shippedModels, testApp } from '../helpers.js'

type App = Awaited<ReturnType<typeof testApp>>
const GiB = 2 ** 30
const answer = async (app: App, body: object): Promise<EstimateResponse> => {
  const res = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, basis: 'usage', ...body } })
  if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${res.body}`)
  return res.json<EstimateResponse>()
}
// The served term's low and high: its expected value (the hand-checked figure) times its engine's jackknife
// factors (models/fitted/), as every term the fit does not set; test/models/fitted.test.ts checks that rule.
const served = shippedModels()
const term = (mesh: string, id: string, per: ScalingDriver, resource: 'cpu' | 'memory'): Record<'low' | 'expected' | 'high', number> => {
  const t = served.meshes.get(mesh)?.components.find((c) => c.id === id)?.usage.scaling?.find((s) => s.per === per && s[resource] !== undefined)?.[resource]
  if (t === undefined) throw new Error(`${mesh}/${id} has no ${per} ${resource} term`)
  const unit = resource === 'cpu' ? cpuCores : memoryGiB
  return { low: unit(t.low), expected: unit(t.expected), high: unit(t.high) }
}
const usage = (body: EstimateResponse, mesh: string, id: string) => {
  const c = body.estimates.find((e) => e.mesh === mesh)?.components.find((x) => x.id === id)
  if (c === undefined) throw new Error(`${mesh}/${id} missing`)
  return c.usage
}

t.test('connections beyond the benchmarks\' 16 add each engine\'s per-connection memory', async (t) => {
  const app = await testApp(t)
  const at16 = await answer(app, {})
  const at1016 = await answer(app, { traffic: { activeConnectionsPerPod: 1016 } })
  t.ok(at16.assumptions.defaultsApplied.some((d) => d.field === '/traffic/activeConnectionsPerPod' && d.value === 16), 'the default is stated')
  // 100 sidecars x 1,000 more connections each
  const cases = [
    ['istio', 'istio-proxy', 100 * 1000 * 50_000], // 50 kB each (OSM: 5 MB per 100)
    ['kuma', 'kuma-dp', 100 * 1000 * 50_000],
    ['consul', 'consul-dataplane', 100 * 1000 * 50_000],
    ['linkerd', 'linkerd-proxy', 100 * 1000 * 26_000], // 26 kB each (#4900)
    // ztunnel: each node's ztunnel holds its pods' connections, 100 x 1,016 / nodes, less 16; summed over the nodes
    // the difference is 100 x 1,000 x 5.2 kB (both above 16 per node)
    ['istio-ambient', 'ztunnel', 100 * 1000 * 5_200]
  ] as const
  for (const [mesh, id, bytes] of cases) {
    const perConnection = term(mesh, id, 'activeConnection', 'memory')
    t.ok(near(perConnection.expected * 100 * 1000, bytes / GiB, 1e-4), `${mesh}/${id}: the served term is the cited figure`)
    const added = (k: 'low' | 'expected' | 'high'): number => usage(at1016, mesh, id).memoryGiB[k] - usage(at16, mesh, id).memoryGiB[k]
    t.ok(near(added('expected'), bytes / GiB, 1e-5), `${mesh}/${id} expected: +${added('expected').toFixed(6)} GiB = ${(bytes / GiB).toFixed(6)}`)
    // memory has no fitted slope: the range is the expected value times the base's jackknife factors
    const factors = served.meshes.get(mesh)?.components.find((c) => c.id === id)?.usage.intervals?.memory
    for (const k of ['low', 'high'] as const) t.ok(near(added(k), bytes / GiB * (factors?.[k] ?? NaN), 1e-5), `${mesh}/${id} ${k}: +${added(k).toFixed(6)} GiB = x ${factors?.[k]}`)
    t.equal(usage(at1016, mesh, id).cpuCores.expected, usage(at16, mesh, id).cpuCores.expected, `${mesh}/${id}: connections move memory only`)
  }
})

t.test('pod churn adds istiod\'s per-churn CPU and memory (AKS\'s churn tables)', async (t) => {
  const app = await testApp(t)
  const steady = await answer(app, { meshes: ['istio'] })
  const churning = await answer(app, { meshes: ['istio'], workload: { podChurnPerMinute: 100 } })
  t.ok(steady.assumptions.defaultsApplied.some((d) => d.field === '/workload/podChurnPerMinute' && d.value === 0), 'the default, steady state, is stated')
  const replicas = churning.estimates[0]?.components.find((c) => c.id === 'istiod')?.replicas
  t.equal(replicas, 1, 'one istiod: 0.26 expected cores stay under the HPA\'s 80% of 500m')
  // per pod churned per minute, expected: CPU 2.4m, memory 2.43 MB (the median of AKS's four churn rows); low and
  // high are the served term's (its expected value times istiod's jackknife factors), up to the node's allocatable,
  // where one replica's usage stops
  const expected = { cpuCores: 100 * 0.0024, memoryGiB: 100 * 2.43e6 / GiB }
  const node = churning.estimates[0]?.capacity.allocatablePerNode ?? { cpuCores: NaN, memoryGiB: NaN }
  for (const [resource, key] of [['cpuCores', 'cpu'], ['memoryGiB', 'memory']] as const) {
    const perChurn = term('istio', 'istiod', 'podChurnPerMinute', key)
    const before = usage(steady, 'istio', 'istiod')[resource]
    const after = usage(churning, 'istio', 'istiod')[resource]
    t.ok(near(after.expected - before.expected, expected[resource], 1e-5), `${resource} expected: +${(after.expected - before.expected).toFixed(6)} = ${expected[resource].toFixed(6)}`)
    // the bounds combine the base's errors, which the churn term shares, with the slope's (usage.ts fittedRange):
    // they rise, by at most the churn term's own bounds, and stop at the node's allocatable (the served term is rounded to 4 digits: 0.1% slack)
    for (const k of ['low', 'high'] as const) {
      const added = after[k] - before[k]
      const most = Math.min(before[k] + 100 * perChurn[k === 'low' ? 'expected' : 'high'], node[resource]) - before[k]
      t.ok(added > 0 && added <= most * 1.001, `${resource} ${k}: +${added.toFixed(6)}, more than 0 and at most ${most.toFixed(6)}`)
    }
  }
  t.same(usage(churning, 'istio', 'istio-proxy'), usage(steady, 'istio', 'istio-proxy'), 'sidecars do not follow churn')
})

t.test('out-of-range drivers are a problem+json 400 naming the field', async (t) => {
  const app = await testApp(t)
  for (const [body, pointer] of [
    [{ traffic: { activeConnectionsPerPod: -1 } }, '/traffic/activeConnectionsPerPod'],
    [{ traffic: { activeConnectionsPerPod: 2.5 } }, '/traffic/activeConnectionsPerPod'],
    [{ workload: { podChurnPerMinute: 2e6 } }, '/workload/podChurnPerMinute'],
    [{ workload: { podChurnPerMinute: 'often' } }, '/workload/podChurnPerMinute']
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, ...body } })
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { errors: [{ pointer }] }, pointer)
  }
  const get = await app.inject({ method: 'GET', url: '/estimate?pods=100&activeConnectionsPerPod=1016&podChurnPerMinute=100&meshes=istio' })
  t.equal(get.statusCode, 200, 'GET takes them as query parameters')
})
