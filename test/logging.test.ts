// Credentials never reach a log line: headers by path, configured and registered secrets by value,
// checked on what the service really writes (pino's JSON lines) for real requests.
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { createConfig } from '../src/config.js'
import { loggerOptions, registerSecret, REDACTED } from '../src/logging.js'
import { shippedModels } from './helpers.js'

function capture (): { stream: Writable, lines: () => Array<Record<string, unknown>>, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { chunks.push(chunk.toString()); done() } })
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }
}

t.test('Authorization, Proxy-Authorization, cookies and tokens are redacted from every line', async (t) => {
  const config = createConfig({}, { logLevel: 'trace', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 })
  const out = capture()
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream: out.stream }, models: shippedModels() })
  t.teardown(() => app.close())
  registerSecret('prom-token-0123456789')

  const headers = { authorization: 'Bearer sekret-bearer-0001', cookie: 'session=sekret-cookie-0002', 'proxy-authorization': 'Basic sekret-proxy-0003' }
  t.equal((await app.inject({ method: 'POST', url: '/estimate', headers, payload: { pods: 10 } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/estimate', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"pods":' })).statusCode, 400)
  // Lines that do carry headers: a plugin logging a request, an error with a response's headers.
  app.log.info({ req: { method: 'GET', url: '/x', headers } }, 'Fastify\'s serializer for req')
  app.log.info({ request: { method: 'GET', url: '/x', headers } }, 'a request with its headers')
  app.log.info({ response: { statusCode: 200, headers: { 'set-cookie': 'session=sekret-setcookie-0004' } } }, 'an answer with a cookie')
  app.log.warn({ upstream: { headers } }, 'an upstream call with its headers')
  app.log.error({ err: new Error('prometheus said 401 for Bearer prom-token-0123456789') }, 'an upstream error quoting the token')

  const text = out.text()
  for (const secret of ['sekret-bearer-0001', 'sekret-cookie-0002', 'sekret-proxy-0003', 'sekret-setcookie-0004', 'prom-token-0123456789']) {
    t.notMatch(text, secret, `${secret} appears in no line`)
  }
  const lines = out.lines()
  t.ok(lines.length >= 7, `${lines.length} lines written`)
  t.match(lines.find((l) => l.msg === 'a request with its headers'), { request: { headers: { authorization: REDACTED, cookie: REDACTED, 'proxy-authorization': REDACTED } } }, 'the lines stay readable: fields redacted, not dropped')
  t.match(lines.find((l) => l.msg === 'an answer with a cookie'), { response: { headers: { 'set-cookie': REDACTED } } })
  t.match(lines.find((l) => l.msg === 'an upstream call with its headers'), { upstream: { headers: { authorization: REDACTED } } })
  t.match(lines.find((l) => l.msg === 'an upstream error quoting the token'), { err: { message: `prometheus said 401 for Bearer ${REDACTED}` } })
})

t.test('a configured value named as a token is redacted by value', async (t) => {
  const config = { ...createConfig({}, { logLevel: 'info' }), exampleApiToken: 'configured-token-98765' }
  const out = capture()
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream: out.stream }, models: shippedModels() })
  t.teardown(() => app.close())
  app.log.info('calling with configured-token-98765')
  t.notMatch(out.text(), 'configured-token-98765')
  t.match(out.text(), REDACTED)
})
