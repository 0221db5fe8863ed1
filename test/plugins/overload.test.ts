// Load shedding: while the event loop lags or the heap is over its limit, requests get a 503 problem with
// Retry-After, readiness says so, liveness and metrics still answer; once the pressure is gone, all is served.
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { RETRY_AFTER_SECONDS } from '../../src/plugins/overload.js'
import { shippedModels } from '../helpers.js'

async function app (t: { teardown: (fn: () => unknown) => void }, overrides: Parameters<typeof createConfig>[1]) {
  const a = await buildApp(createConfig({}, { logLevel: 'silent', ...overrides }), { logger: false, models: shippedModels() })
  t.teardown(() => a.close())
  await a.ready()
  return a
}

t.test('a lagging event loop: requests are shed with 503 and Retry-After until it recovers', async (t) => {
  const a = await app(t, { overloadMaxEventLoopDelayMs: 50, overloadMaxHeapUsedMiB: 0 })
  t.equal((await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })).statusCode, 200, 'served before')
  // Keep the loop lagging the way a queue of requests does (100 ms turns, for over a second), so that
  // samples (every 250 ms, the mean delay of each) see it.
  const until = Date.now() + 1200
  while (Date.now() < until) {
    const turn = Date.now() + 100
    while (Date.now() < turn) { /* busy */ }
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.ok(a.overloaded(), 'under pressure after a second of 100 ms turns')
  const shed = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })
  t.equal(shed.statusCode, 503)
  t.equal(shed.headers['retry-after'], String(RETRY_AFTER_SECONDS))
  t.match(shed.headers['content-type'], /application\/problem\+json/)
  t.match(shed.json(), { status: 503, type: /overloaded$/, detail: /event-loop delay \d+ ms/ })
  t.equal((await a.inject('/healthz')).statusCode, 200, 'liveness is never shed')
  t.equal((await a.inject('/metrics')).statusCode, 200, 'metrics are never shed')
  const ready = await a.inject('/readyz')
  t.equal(ready.statusCode, 503, 'readiness reports the pressure')
  t.match(ready.json(), { type: /overloaded$/ })

  for (let i = 0; i < 40 && a.overloaded(); i++) await sleep(100)
  t.notOk(a.overloaded(), 'recovers once the loop is idle')
  t.equal((await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })).statusCode, 200, 'served again')
  t.equal((await a.inject('/readyz')).statusCode, 200, 'ready again')
})

t.test('a heap over its limit sheds load; 0 turns each check off', async (t) => {
  const tiny = await app(t, { overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 1 })
  await sleep(300)
  const shed = await tiny.inject({ method: 'GET', url: '/meshes' })
  t.equal(shed.statusCode, 503)
  t.match(shed.json(), { detail: /heap \d+ MiB/ })
  const off = await app(t, { overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 })
  await sleep(300)
  t.notOk(off.overloaded())
  t.equal((await off.inject('/meshes')).statusCode, 200)
})
