// The real entry point as a process: start, serve, log, shut down on a signal, refuse bad set-ups clearly.
import { once } from 'node:events'
import { createServer } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { startServer } from './server-process.js'

const start = startServer

t.test('starts with the shipped models, logs JSON with request ids, exits 0 on SIGTERM', async (t) => {
  const server = start({})
  t.teardown(() => { server.child.kill('SIGKILL') })
  const address = await server.address
  const res = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'from-test-42' }, body: '{"pods":100}' })
  t.equal(res.statusCode, 200)
  await res.body.dump()

  server.child.kill('SIGTERM')
  const [code] = await server.exit
  t.equal(code, 0, 'clean exit')
  const records = server.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
  const lines = records.filter((r) => r.reqId === 'from-test-42')
  t.equal(lines.length, 1, 'one JSON line per request')
  t.match(lines[0], { msg: 'request completed', method: 'POST', url: '/estimate', statusCode: 200, responseTimeMs: Number })
  t.notMatch(JSON.stringify(records), /"pods":100/, 'bodies stay out of the logs')
  t.ok(records.some((r) => r.signal === 'SIGTERM'), 'logs the shutdown')
})

t.test('a broken model directory stops the process with every problem listed', async (t) => {
  const dir = t.testdir({ meshes: { 'bad.yaml': 'schemaVersion: 2\nid: bad\n' } })
  const server = start({ MODELS_DIR: dir })
  const [code] = await server.exit
  t.equal(code, 1)
  const output = server.lines.join('')
  t.match(output, /meshcost cannot start: invalid model data/)
  t.match(output, /meshes\/bad\.yaml: \/schemaVersion/)
  t.match(output, /defaults\.yaml/, 'the missing defaults file is listed too')
})

t.test('a taken port stops the process with a clear message', async (t) => {
  const blocker = createServer()
  blocker.listen(0, '127.0.0.1')
  await once(blocker, 'listening')
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const server = start({ PORT: String(port) })
  const [code] = await server.exit
  t.equal(code, 1)
  t.match(server.lines.join(''), /cannot start: .*EADDRINUSE/)
})

t.test('a bad environment variable is named', async (t) => {
  const server = start({ PORT: 'eighty' })
  const [code] = await server.exit
  t.equal(code, 1)
  t.match(server.lines.join(''), /PORT="eighty"/)
})
