// Protections (plugins/security.ts): request timeout (408), rate limiting (429) keyed on the real client
// (behind a trusted proxy, TRUST_PROXY, each client named in X-Forwarded-For has its own budget; from an
// untrusted peer X-Forwarded-For is ignored), security headers with a content policy Swagger UI works under.
import { once } from 'node:events'
import { connect } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig, trustProxyOption } from '../../src/config.js'
import { isProblem, shippedModels, testApp } from '../helpers.js'

t.test('a client that stops sending mid-body gets a 408 and its socket closed; others are served', async (t) => {
  const a = await testApp(t, undefined, { requestTimeoutMs: 1000 })
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
  const a = await testApp(t, undefined, { rateLimitMax: 5, rateLimitWindowMs: 60_000 })
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
    t.equal((await a.inject({ url: '/metrics' })).statusCode, 200, 'Prometheus scrapes are exempt')
  }
})

t.test('rate limiting: generous by default, off with RATE_LIMIT_MAX=0, configured from the environment', async (t) => {
  const config = createConfig({})
  t.equal(config.rateLimitMax, 3000)
  t.equal(config.rateLimitWindowMs, 60_000)
  t.match(createConfig({ RATE_LIMIT_MAX: '0', RATE_LIMIT_WINDOW_MS: '1000' }), { rateLimitMax: 0, rateLimitWindowMs: 1000 })
  t.throws(() => createConfig({ RATE_LIMIT_MAX: '-1' }), /RATE_LIMIT_MAX=-1: must be >= 0/)
  t.throws(() => createConfig({ RATE_LIMIT_WINDOW_MS: 'soon' }), /RATE_LIMIT_WINDOW_MS="soon"/)
  const off = await testApp(t, undefined, { rateLimitMax: 0 })
  for (let i = 0; i < 50; i++) t.equal((await off.inject({ url: '/meshes' })).statusCode, 200)
  t.equal((await off.inject({ url: '/meshes' })).headers['x-ratelimit-limit'], undefined, 'no limiter at all')
})

t.test('security headers on every answer; the content policy lets Swagger UI load', async (t) => {
  const a = await testApp(t)
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

// Over a real socket: the test is the proxy, connecting from 127.0.0.1.
const BUDGET = 3

async function server (t: { teardown: (fn: () => unknown) => void }, trustProxy: string): Promise<string> {
  const config = createConfig({ TRUST_PROXY: trustProxy }, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, rateLimitMax: BUDGET, rateLimitWindowMs: 60_000, port: 0 })
  const app = await buildApp(config, { logger: false, models: shippedModels() })
  t.teardown(() => app.close())
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

/** Statuses of n calls to GET /meshes from the client that X-Forwarded-For names. */
async function calls (url: string, client: string, n: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) {
    const res = await request(`${url}/meshes`, { headers: { 'x-forwarded-for': client } })
    await res.body.dump()
    statuses.push(res.statusCode)
  }
  return statuses
}

const limited = [...Array<number>(BUDGET).fill(200), 429]

for (const setting of ['1', '127.0.0.1', 'loopback', 'loopback,linklocal,uniquelocal']) {
  t.test(`TRUST_PROXY=${setting}: two clients behind one trusted proxy have separate budgets`, async (t) => {
    const url = await server(t, setting)
    t.same(await calls(url, '203.0.113.10', BUDGET + 1), limited, 'the first client spends its budget')
    t.same(await calls(url, '203.0.113.20', BUDGET + 1), limited, 'the second client still has all of its own')
    t.same(await calls(url, '203.0.113.10, 203.0.113.30', 1), [200], 'the address the proxy saw counts, not what the client wrote left of it')
    t.same(await calls(url, '203.0.113.10', 1), [429], 'the first client stays limited')
  })
}

t.test('TRUST_PROXY=off: X-Forwarded-For is ignored, the proxy is the client', async (t) => {
  const url = await server(t, 'off')
  t.same(await calls(url, '203.0.113.10', BUDGET), Array<number>(BUDGET).fill(200))
  t.same(await calls(url, '203.0.113.20', 1), [429], 'one budget for everyone behind the proxy')
})

t.test('a peer that is not a trusted proxy cannot choose its identity', async (t) => {
  const url = await server(t, '10.0.0.0/8')
  t.same(await calls(url, '203.0.113.10', BUDGET), Array<number>(BUDGET).fill(200))
  t.same(await calls(url, '203.0.113.20', 1), [429], 'X-Forwarded-For from 127.0.0.1, not in 10.0.0.0/8, changes nothing')
})

t.test('TRUST_PROXY values: off, a hop count, addresses and ranges; anything else stops start-up naming the variable', async (t) => {
  t.equal(trustProxyOption('off'), false)
  const hops = trustProxyOption('2')
  t.type(hops, 'function')
  if (typeof hops === 'function') t.same([hops('any', 0), hops('any', 1), hops('any', 2)], [true, true, false], 'two hops trusted')
  t.same(trustProxyOption('10.0.0.0/8, fd00::/8,192.168.1.7'), ['10.0.0.0/8', 'fd00::/8', '192.168.1.7'])
  t.same(createConfig({}).trustProxy, 'off', 'default: nobody\'s X-Forwarded-For is believed (any pod can connect from a private address)')
  for (const bad of ['true', 'yes', '10.0.0.0/33', '10.0.0.300', 'example.com']) {
    t.throws(() => createConfig({ TRUST_PROXY: bad }), /TRUST_PROXY=/, `TRUST_PROXY=${bad} is refused`)
  }
})
