// Rate limiting keyed on the real client: behind a trusted proxy (TRUST_PROXY), each client named in
// X-Forwarded-For has its own budget; from an untrusted peer, X-Forwarded-For is ignored.
// Over a real socket: the test is the proxy, connecting from 127.0.0.1.
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig, trustProxyOption } from '../../src/config.js'
import { shippedCatalog } from '../helpers.js'

const BUDGET = 3

async function server (t: { teardown: (fn: () => unknown) => void }, trustProxy: string): Promise<string> {
  const config = createConfig({ TRUST_PROXY: trustProxy }, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, rateLimitMax: BUDGET, rateLimitWindowMs: 60_000, port: 0 })
  const app = await buildApp(config, { logger: false, catalog: shippedCatalog() })
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
  t.same(createConfig({}).trustProxy, 'loopback,linklocal,uniquelocal', 'default: the private ranges an in-cluster ingress connects from')
  for (const bad of ['true', 'yes', '10.0.0.0/33', '10.0.0.300', 'example.com']) {
    t.throws(() => createConfig({ TRUST_PROXY: bad }), /TRUST_PROXY=/, `TRUST_PROXY=${bad} is refused`)
  }
})
