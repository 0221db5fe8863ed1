// Limits and protections: body size (413), content type (415), request timeout (408), rate limiting (429),
// security headers with a content policy Swagger UI works under, models read once, the bench-only route.
import { once } from 'node:events'
import { cpSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../src/app.js'
import { createConfig, type Config } from '../src/config.js'
import { loadCatalog } from '../src/models/load.js'
import { SHIPPED_MODELS, shippedCatalog } from './helpers.js'

async function app (t: { teardown: (fn: () => unknown) => void }, config: Partial<Config> = {}) {
  const instance = await buildApp(createConfig({}, { logLevel: 'silent', ...config }), { logger: false, catalog: shippedCatalog() })
  t.teardown(() => instance.close())
  await instance.ready()
  return instance
}

const isProblem = (t: Test, res: { statusCode: number, headers: Record<string, unknown>, json: () => unknown }, status: number, type?: RegExp): void => {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { status, title: String, detail: String, requestId: String, ...(type === undefined ? {} : { type }) })
}

t.test('bodies over BODY_LIMIT_BYTES get a 413 problem; the limit is configurable', async (t) => {
  const small = await app(t, { bodyLimitBytes: 2048 })
  const pad = 'x'.repeat(3000)
  isProblem(t, await small.inject({ method: 'POST', url: '/estimate', payload: `{"pods":1,"pad":"${pad}"}`, headers: { 'content-type': 'application/json' } }), 413, /body-too-large/)
  t.equal((await small.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 } })).statusCode, 200, 'a normal body still passes')
  const byDefault = await app(t)
  isProblem(t, await byDefault.inject({ method: 'POST', url: '/estimate', payload: `{"pods":1,"pad":"${'x'.repeat(65 * 1024)}"}`, headers: { 'content-type': 'application/json' } }), 413)
  t.equal(createConfig({ BODY_LIMIT_BYTES: '4096' }).bodyLimitBytes, 4096)
})

t.test('anything but JSON gets a 415 problem', async (t) => {
  const a = await app(t)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/csv']) {
    const res = await a.inject({ method: 'POST', url: '/estimate', payload: '{"pods":1}', headers: { 'content-type': type } })
    t.equal(res.statusCode, 415, type)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${type}: problem+json`)
  }
})

t.test('a client that stops sending mid-body gets a 408 and its socket closed; others are served', async (t) => {
  const a = await app(t, { requestTimeoutMs: 1000 })
  const address = await a.listen({ port: 0, host: '127.0.0.1' })
  const { port } = new URL(address)
  const socket = connect(Number(port), '127.0.0.1')
  await once(socket, 'connect')
  const started = Date.now()
  socket.write('POST /estimate HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"pods":')
  let answer = ''
  socket.on('data', (chunk: Buffer) => { answer += chunk.toString() })
  await once(socket, 'close')
  const elapsed = Date.now() - started
  t.match(answer, /^HTTP\/1\.1 408/, '408 Request Timeout')
  t.ok(elapsed >= 900 && elapsed < 5000, `closed after ${elapsed} ms (timeout 1000 ms, checked every 100 ms)`)
  const res = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 3 } })
  t.equal(res.statusCode, 200, 'still serving')
})

t.test('rate limiting: RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS per client, a 429 problem past it', async (t) => {
  const a = await app(t, { rateLimitMax: 5, rateLimitWindowMs: 60_000 })
  for (let i = 0; i < 5; i++) {
    const res = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 } })
    t.equal(res.statusCode, 200, `request ${i + 1} of 5`)
    t.equal(res.headers['x-ratelimit-remaining'], String(4 - i))
  }
  const over = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 } })
  isProblem(t, over, 429)
  t.match(over.json(), { detail: /at most 5 requests per 60 s/ })
  t.ok(Number(over.headers['retry-after']) > 0, 'Retry-After says when')
  t.equal((await a.inject({ url: '/meshes' })).statusCode, 429, 'every route shares the budget')
  t.equal((await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 }, remoteAddress: '10.0.0.2' })).statusCode, 200, 'another client is not limited')
  for (let i = 0; i < 20; i++) {
    t.equal((await a.inject({ url: '/healthz' })).statusCode, 200)
    t.equal((await a.inject({ url: '/readyz' })).statusCode, 200)
  }
  t.pass('probes are exempt (so are /metrics scrapes)')
})

t.test('rate limiting: generous by default, off with RATE_LIMIT_MAX=0, configured from the environment', async (t) => {
  const config = createConfig({})
  t.equal(config.rateLimitMax, 3000)
  t.equal(config.rateLimitWindowMs, 60_000)
  t.match(createConfig({ RATE_LIMIT_MAX: '0', RATE_LIMIT_WINDOW_MS: '1000' }), { rateLimitMax: 0, rateLimitWindowMs: 1000 })
  t.throws(() => createConfig({ RATE_LIMIT_MAX: '-1' }), /RATE_LIMIT_MAX=-1: must be >= 0/)
  t.throws(() => createConfig({ RATE_LIMIT_WINDOW_MS: 'soon' }), /RATE_LIMIT_WINDOW_MS="soon"/)
  const off = await app(t, { rateLimitMax: 0 })
  for (let i = 0; i < 50; i++) t.equal((await off.inject({ url: '/meshes' })).statusCode, 200)
  t.equal((await off.inject({ url: '/meshes' })).headers['x-ratelimit-limit'], undefined, 'no limiter at all')
})

t.test('security headers on every answer; the content policy lets Swagger UI load', async (t) => {
  const a = await app(t)
  for (const res of [await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 } }), await a.inject({ url: '/nope' }), await a.inject({ url: '/docs/' })]) {
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
    t.equal(res.headers['referrer-policy'], 'no-referrer')
    t.ok(res.headers['content-security-policy'], 'a content security policy')
  }
  const docs = await a.inject({ url: '/docs/' })
  const page = await a.inject({ url: '/docs/static/index.html' })
  const html = docs.statusCode === 200 ? docs.body : page.body
  const csp = String(docs.headers['content-security-policy'])
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]))
  t.notOk('upgrade-insecure-requests' in directives, 'no upgrade-insecure-requests: the service speaks plain HTTP behind its proxy')
  t.same(directives['script-src'], ["'self'"], 'scripts from the service only')
  t.ok(directives['style-src']?.includes("'self'") && directives['style-src']?.includes("'unsafe-inline'"), 'styles from the service, and Swagger UI\'s inline styles')
  t.ok(directives['img-src']?.includes('data:'), 'Swagger UI\'s data: images')
  t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'the page has no inline script the policy would block')
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
  t.ok(assets.length >= 4, `the page loads ${assets.length} assets`)
  for (const asset of assets) {
    t.notMatch(asset, /^(https?:)?\/\//, `${asset} is same-origin`)
    const url = asset.startsWith('/') ? asset : new URL(asset, 'http://x/docs/').pathname
    t.equal((await a.inject({ url })).statusCode, 200, `${url} loads`)
  }
  const init = await a.inject({ url: '/docs/static/swagger-initializer.js' })
  t.match(init.body, /url: .*json/, 'the initializer fetches the spec from the service itself (connect-src \'self\')')
})

t.test('models are read and validated once, at start-up, never per request', async (t) => {
  const dir = t.testdir({})
  const copy = join(dir, 'models')
  cpSync(SHIPPED_MODELS, copy, { recursive: true })
  const a = await buildApp(createConfig({}, { logLevel: 'silent', modelsDir: copy }), { logger: false })
  t.teardown(() => a.close())
  rmSync(copy, { recursive: true, force: true })
  const res = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })
  t.equal(res.statusCode, 200, 'estimates with the model files gone')
  t.same(res.json(), (await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })).json())
  t.throws(() => loadCatalog(copy), 'while loading them now would fail')
})
