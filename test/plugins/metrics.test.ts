// GET /metrics (Prometheus text format) and CORS (CORS_ORIGINS, off by default).
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { testApp } from '../helpers.js'

t.test('GET /metrics: requests by route and status, durations, process metrics', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const url of ['/estimate?pods=10', '/estimate?pods=10', '/estimate?pods=-1', '/meshes/istio', '/meshes/nope', '/no/such/route']) {
    const res = await request(`${address}${url}`)
    await res.body.dump()
  }
  const res = await request(`${address}/metrics`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = await res.body.text()
  t.match(text, /^# HELP http_requests_total /m)
  t.match(text, /^# TYPE http_requests_total counter$/m)
  t.match(text, /^http_requests_total\{method="GET",route="\/estimate",status_code="200"\} 2$/m)
  t.match(text, /^http_requests_total\{method="GET",route="\/estimate",status_code="400"\} 1$/m)
  t.match(text, /^http_requests_total\{method="GET",route="\/meshes\/:id",status_code="404"\} 1$/m, 'the route pattern, not the URL')
  t.match(text, /^http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1$/m)
  t.notMatch(text, /no\/such\/route|pods=/, 'raw URLs never become labels')
  t.match(text, /^# TYPE http_request_duration_seconds histogram$/m)
  t.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/estimate",status_code="200"\} 2$/m)
  t.match(text, /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/estimate",status_code="200"\} 2$/m)
  t.match(text, /^process_cpu_seconds_total \d/m)
  t.match(text, /^process_resident_memory_bytes \d/m)
  t.match(text, /^nodejs_eventloop_lag_seconds /m)
  // Every sample line is "name{labels} value" with a finite number.
  for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    t.ok(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+$/.test(line) || /\+Inf"\} \d+$/.test(line), `sample line: ${line.slice(0, 80)}`)
  }
})

t.test('METRICS_PORT: /metrics on its own port only, a 404 problem for anything else there', async (t) => {
  const free = createServer().listen(0, '127.0.0.1')
  await once(free, 'listening')
  const port = (free.address() as AddressInfo).port
  await new Promise((resolve) => free.close(resolve))
  const app = await testApp(t, undefined, { metricsPort: port, host: '127.0.0.1' })
  const api = await app.listen({ port: 0, host: '127.0.0.1' })
  await (await request(`${api}/meshes`)).body.dump()
  t.equal((await app.inject('/metrics')).statusCode, 404, 'the API port has no /metrics')
  const res = await request(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(await res.body.text(), /http_requests_total\{method="GET",route="\/meshes",status_code="200"\} 1/, 'counts the API port\'s requests')
  const other = await request(`http://127.0.0.1:${port}/estimate`)
  t.equal(other.statusCode, 404)
  t.equal(other.headers['content-type'], 'application/problem+json')
  t.match(await other.body.json(), { status: 404, detail: /GET \/metrics only/ })
})
