// POST /estimate/sweep: curves for plots, each point what POST /estimate answers for that value.
import t from 'tap'
import { request } from 'undici'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { SWEEP_LIMITS, type SweepResponse } from '../../src/schemas/integration.js'
import { shippedModels, testApp } from '../helpers.js'

const post = (payload: unknown, url = '/estimate/sweep') => ({ method: 'POST' as const, url, payload: payload as object })

t.test('pods from 10 to 10,000: one series per mesh, rising with pods, each point the POST /estimate figure', async (t) => {
  const app = await testApp(t)
  const res = await app.inject(post({ scenario: { pods: 100 }, vary: 'pods', from: 10, to: 10000, steps: 20 }))
  t.equal(res.statusCode, 200)
  const body = res.json<SweepResponse>()
  t.same(body.series.map((s) => s.mesh).sort(), [...shippedModels().meshes.keys()].sort(), 'one series per mesh')
  for (const s of body.series) {
    t.equal(s.points.length, 20, `${s.mesh}: 20 points`)
    t.equal(s.points[0]?.x, 10)
    t.equal(s.points.at(-1)?.x, 10000)
    const first = s.points[0]
    const last = s.points.at(-1)
    if (first === undefined || last === undefined) continue
    t.ok(last.memoryGiB > first.memoryGiB && last.monthlyCost > first.monthlyCost, `${s.mesh}: memory and cost rise from 10 to 10,000 pods (${first.monthlyCost} -> ${last.monthlyCost})`)
    for (let i = 1; i < s.points.length; i++) {
      const [a, b] = [s.points[i - 1], s.points[i]]
      if (a === undefined || b === undefined) continue
      t.ok(b.x > a.x && b.monthlyCost >= a.monthlyCost && b.cpuCores >= a.cpuCores && b.memoryGiB >= a.memoryGiB, `${s.mesh}: never falls at x=${b.x}`)
    }
    for (const p of s.points) t.ok(p.cpuCoresLow <= p.cpuCores && p.cpuCores <= p.cpuCoresHigh && p.monthlyCostLow <= p.monthlyCost && p.monthlyCost <= p.monthlyCostHigh, `${s.mesh} x=${p.x}: ranges beside`)
  }
  // A point is exactly what POST /estimate answers for that value.
  const istio = body.series.find((s) => s.mesh === 'istio')
  const p = istio?.points[7]
  const one = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: p?.x, meshes: ['istio'] } })).json<EstimateResponse>().estimates[0]
  t.equal(p?.cpuCores, one?.totals.cpuCores.expected)
  t.equal(p?.memoryGiBHigh, one?.totals.memoryGiB.high)
  t.equal(p?.monthlyCost, one?.cost.monthly.expected)
  t.equal(p?.additionalNodes, one?.capacity.additionalNodes)
  t.notMatch(res.body, /NaN|Infinity/)
})

t.test('the other fields, log scale, and CSV', async (t) => {
  const app = await testApp(t)
  for (const [vary, from, to] of [['requestsPerSecondPerPod', 1, 1000], ['services', 1, 500], ['nodes', 20, 200]] as const) {
    const res = await app.inject(post({ scenario: { pods: 200, meshes: ['istio', 'linkerd'] }, vary, from, to, steps: 5, scale: 'log' }))
    t.equal(res.statusCode, 200, vary)
    const body = res.json<SweepResponse>()
    t.equal(body.vary, vary)
    t.equal(body.scale, 'log')
    t.same(body.series.map((s) => s.mesh), ['istio', 'linkerd'])
    t.equal(body.series[0]?.points[0]?.x, from)
    t.equal(body.series[0]?.points.at(-1)?.x, to)
  }
  // A log scale from 1 to 1,000 in 4 steps multiplies by 1000^(1/3) = 10 each step: 1, 10, 100, 1000
  // (a linear scale would give 1, 334, 667, 1000).
  const decades = (await app.inject(post({ scenario: { pods: 200, meshes: ['istio'] }, vary: 'requestsPerSecondPerPod', from: 1, to: 1000, steps: 4, scale: 'log' }))).json<SweepResponse>()
  const xs = decades.series[0]?.points.map((p) => p.x) ?? []
  t.ok(xs.length === 4 && [1, 10, 100, 1000].every((x, i) => Math.abs((xs[i] ?? 0) - x) < 1e-9), `log steps ${xs.join(', ')}`)
  const rps = (await app.inject(post({ scenario: { pods: 200, meshes: ['istio'], basis: 'usage' }, vary: 'requestsPerSecondPerPod', from: 1, to: 1000, steps: 3, scale: 'log' }))).json<SweepResponse>()
  const cpu = rps.series[0]?.points.map((p) => p.cpuCores) ?? []
  t.ok((cpu[2] ?? 0) > (cpu[0] ?? 0), `usage CPU rises with traffic (${cpu.join(', ')})`)
  const csv = await app.inject(post({ scenario: { pods: 100, meshes: ['linkerd'] }, vary: 'pods', from: 10, to: 100, steps: 10 }, '/estimate/sweep?format=csv'))
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.trimEnd().split('\r\n')
  t.equal(lines.length, 11, 'header and one row per point')
  t.match(lines[0], /^x_MeshId,x_Vary,x_Value,x_CpuCores/)
  t.match(lines[1], /^linkerd,pods,10,/)
})

t.test('limits and bad sweeps: 400 problems naming the field', async (t) => {
  const app = await testApp(t)
  const base = { scenario: { pods: 100 }, vary: 'pods', from: 10, to: 100, steps: 5 }
  const cases: Array<[string, unknown, number, string, RegExp?]> = [
    ['steps past the limit', { ...base, steps: SWEEP_LIMITS.steps + 1 }, 400, '/steps', /<= 10000/],
    ['one step', { ...base, steps: 1 }, 400, '/steps', />= 2/],
    ['from after to', { ...base, from: 100, to: 10 }, 400, '/to', /greater than from/],
    ['pods past their limit', { ...base, to: 2_000_000 }, 400, '/to'],
    ['nodes past their limit', { ...base, vary: 'nodes', from: 1, to: 200_000 }, 400, '/to', /<= 100000/],
    ['zero pods', { ...base, from: 0 }, 400, '/from', />= 1/],
    ['log from 0', { ...base, vary: 'requestsPerSecondPerPod', from: 0, scale: 'log' }, 400, '/from', /> 0/],
    ['unknown field to vary', { ...base, vary: 'colour' }, 400, '/vary', /one of/],
    ['bad scenario', { ...base, scenario: { pods: 'many' } }, 400, '/scenario/pods', /integer/],
    ['unknown field', { ...base, zoom: 2 }, 400, '/zoom', /not a known field/],
    ['unknown mesh', { ...base, scenario: { pods: 1, meshes: ['nope'] } }, 422, '/scenario/meshes/0', /unknown mesh/],
    ['pod larger than the node', { ...base, scenario: { pods: 1, workload: { podRequests: { cpuCores: 64, memoryGiB: 1 } } } }, 422, '/scenario/workload/podRequests', /at pods = 10/]
  ]
  for (const [name, body, status, pointer, detail] of cases) {
    const res = await app.inject(post(body))
    t.equal(res.statusCode, status, `${name}: ${status}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const hit = (res.json().errors ?? []).find((e: { pointer: string }) => e.pointer === pointer)
    t.ok(hit, `${name}: names ${pointer} (${res.body})`)
    if (detail && hit) t.match(hit.detail, detail)
  }
})

t.test('10,000 points per series over a real socket', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${address}/estimate/sweep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: { pods: 100, meshes: ['istio', 'linkerd'] }, vary: 'pods', from: 1, to: 10000, steps: 10000 }) })
  t.equal(res.statusCode, 200)
  const body = await res.body.json() as SweepResponse
  t.same(body.series.map((s) => s.points.length), [10000, 10000])
})
