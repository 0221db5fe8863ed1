// Streamed sweeps over a real socket: NDJSON and CSV x by x, the JSON limits lifted, view=summary, and a
// client that disconnects stopping the work.
import { request as httpRequest } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { request } from 'undici'
import { STREAM_LIMITS, SWEEP_LIMITS, type SweepResponse } from '../../src/schemas/integration.js'
import { testApp } from '../helpers.js'

async function listening (t: Parameters<typeof testApp>[0]): Promise<string> {
  return await (await testApp(t)).listen({ port: 0, host: '127.0.0.1' })
}

const sweepBody = (steps: number, meshes = ['istio', 'linkerd']) => JSON.stringify({ scenario: { pods: 100, meshes }, vary: 'pods', from: 10, to: 100_000, steps })

async function post (base: string, query: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/estimate/sweep${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

async function pointsComputed (base: string): Promise<number> {
  const text = await (await request(`${base}/metrics`)).body.text()
  return Number(/^meshcost_sweep_points_total (\d+)/m.exec(text)?.[1] ?? Number.NaN)
}

t.test('NDJSON: one line per mesh and point, x by x, the same figures as the JSON answer', async (t) => {
  const base = await listening(t)
  const json = JSON.parse((await post(base, '', sweepBody(50))).text) as SweepResponse
  for (const [query, headers] of [['?format=ndjson', {}], ['', { accept: 'application/x-ndjson' }]] as const) {
    const res = await post(base, query, sweepBody(50), headers)
    t.equal(res.status, 200)
    t.match(res.headers['content-type'], /^application\/x-ndjson/)
    t.equal(res.headers['transfer-encoding'], 'chunked', 'streamed, not sent whole')
    const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    t.equal(lines.length, 100, '50 points x 2 meshes')
    t.same(lines.slice(0, 2).map((l) => [l.mesh, l.x]), [['istio', 10], ['linkerd', 10]], 'x by x, mesh by mesh')
    const istio = lines.filter((l) => l.mesh === 'istio').map(({ mesh: _m, vary: _v, currency: _c, ...point }) => point)
    t.same(istio, json.series[0]?.points, 'the JSON answer\'s points')
    t.equal(lines[0]?.currency, json.currency)
  }
  const lean = (await post(base, '?format=ndjson&view=summary', sweepBody(5))).text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.notOk(lean.some((l) => 'cpuCoresLow' in l || 'monthlyCostHigh' in l), 'view=summary: no bounds')
  t.ok(lean.every((l) => typeof l.cpuCores === 'number' && typeof l.monthlyCost === 'number'))
})

t.test('CSV streams too; view=summary drops the bound columns', async (t) => {
  const base = await listening(t)
  const csv = await post(base, '?format=csv', sweepBody(20))
  t.equal(csv.status, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const rows = csv.text.trimEnd().split('\r\n')
  t.equal(rows.length, 41, 'header and 40 rows')
  t.match(rows[1], /^istio,pods,10,/)
  t.match(rows[2], /^linkerd,pods,10,/)
  const lean = (await post(base, '', sweepBody(20), { accept: 'text/csv' }), await post(base, '?format=csv&view=summary', sweepBody(20)))
  t.notMatch(lean.text.split('\r\n')[0], /Low|High/)
  t.equal(lean.text.split('\r\n')[1]?.split(',').length, lean.text.split('\r\n')[0]?.split(',').length, 'rows as wide as the header')
})

t.test('past the JSON limit: a 400 saying to stream; streamed, the sweep runs', async (t) => {
  const base = await listening(t)
  const steps = SWEEP_LIMITS.steps * 2
  const json = await post(base, '', sweepBody(steps, ['linkerd']))
  t.equal(json.status, 400)
  t.match(json.text, /format=ndjson or csv/)
  const streamed = await post(base, '?format=ndjson', sweepBody(steps, ['linkerd']))
  t.equal(streamed.status, 200)
  t.equal(streamed.text.trimEnd().split('\n').length, steps)
  const tooMany = await post(base, '?format=ndjson', JSON.stringify({ scenario: { pods: 100 }, vary: 'pods', from: 1, to: 1_000_000, steps: STREAM_LIMITS.steps }))
  t.equal(tooMany.status, 400, 'a million steps for every mesh is past the streamed limit')
  t.match(tooMany.text, /steps x meshes/)
})

t.test('a client that disconnects stops the work', async (t) => {
  const base = await listening(t)
  const before = await pointsComputed(base)
  const { port } = new URL(base)
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/estimate/sweep?format=ndjson', headers: { 'content-type': 'application/json' } }, (res) => {
      res.once('data', () => { req.destroy(); resolve() }) // the first chunk, then gone
    })
    req.on('error', (err) => { if (!req.destroyed) reject(err) })
    req.end(JSON.stringify({ scenario: { pods: 100, meshes: ['istio'] }, vary: 'pods', from: 1, to: 1_000_000, steps: STREAM_LIMITS.steps }))
  })
  await sleep(500) // let the server notice
  const stopped = await pointsComputed(base)
  await sleep(1000)
  const later = await pointsComputed(base)
  t.equal(later, stopped, `no points computed after the disconnect (${stopped - before} before it)`)
  t.ok(stopped - before < STREAM_LIMITS.steps / 10, 'far fewer than the million asked for')
  t.ok(stopped - before > 0, 'some were computed and sent')
})
