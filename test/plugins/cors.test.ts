// CORS (CORS_ORIGINS, off by default).
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { shippedModels, testApp } from '../helpers.js'

t.test('CORS is off by default', async (t) => {
  const app = await testApp(t)
  const res = await app.inject({ url: '/estimate?pods=1', headers: { origin: 'https://grafana.example.com' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/estimate', headers: { origin: 'https://grafana.example.com', 'access-control-request-method': 'POST' } })
  t.equal(preflight.headers['access-control-allow-origin'], undefined)
})

t.test('CORS_ORIGINS: a list of origins, or *', async (t) => {
  const listed = await buildApp(createConfig({ CORS_ORIGINS: 'https://grafana.example.com, http://localhost:8080' }, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => listed.close())
  const address = await listed.listen({ port: 0, host: '127.0.0.1' })
  const ok = await request(`${address}/estimate?pods=1`, { headers: { origin: 'https://grafana.example.com' } })
  t.equal(ok.headers['access-control-allow-origin'], 'https://grafana.example.com')
  t.match(String(ok.headers['access-control-expose-headers']), /x-request-id/)
  await ok.body.dump()
  const other = await request(`${address}/estimate?pods=1`, { headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined, 'an origin not listed gets no CORS header')
  await other.body.dump()
  const preflight = await request(`${address}/estimate`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:8080')
  t.match(String(preflight.headers['access-control-allow-methods']), /POST/)
  await preflight.body.dump()

  const any = await buildApp(createConfig({ CORS_ORIGINS: '*' }, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => any.close())
  const res = await any.inject({ url: '/estimate?pods=1', headers: { origin: 'https://anywhere.example' } })
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.throws(() => createConfig({ CORS_ORIGINS: 'grafana.example.com' }), /CORS_ORIGINS/, 'an origin without its scheme is refused at start-up')
})
