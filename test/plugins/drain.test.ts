// SIGTERM with requests in flight: each request the server had accepted before the signal completes with a
// 200, new connections are refused, and the process exits 0 within its grace period.
//
// "In flight" is made exact with Expect: 100-continue: the server answers "100 Continue" only once it has
// parsed the headers and routed the request, so each client knows its request is accepted before the signal
// is sent; the client then sends the body after the signal, while the server is closing.
// (Broken model files and a taken port are covered by server.test.ts.)
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/config.js'

const SERVER = join(PACKAGE_ROOT, 'src', 'server.ts')
const GRACE_MS = 8000
const IN_FLIGHT = 24

interface Response { status: number, headers: string, body: string }

/** Sends the headers of POST /estimate with Expect: 100-continue; resolves once the server says Continue. */
async function startRequest (port: number, body: string): Promise<{ socket: Socket, finish: () => Promise<Response> }> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
  const closed = once(socket, 'close')
  socket.write(`POST /estimate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`)
  for (let waited = 0; !received.includes('100 Continue'); waited += 5) {
    if (waited > 10_000) throw new Error(`no 100 Continue: ${JSON.stringify(received)}`)
    await sleep(5)
  }
  received = received.slice(received.indexOf('\r\n\r\n') + 4)
  const finish = async (): Promise<Response> => {
    socket.write(body)
    // The whole answer: headers, then content-length bytes (or until the server closes the socket).
    for (let waited = 0; ; waited += 10) {
      const end = received.indexOf('\r\n\r\n')
      if (end >= 0) {
        const headers = received.slice(0, end)
        const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? NaN)
        const body = received.slice(end + 4)
        if (Buffer.byteLength(body, 'latin1') >= length) return { status: Number(headers.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') }
      }
      if (waited > 15_000) throw new Error(`incomplete answer: ${received.slice(0, 200)}`)
      await Promise.race([sleep(10), closed])
    }
  }
  return { socket, finish }
}

/** Resolves with the connection error code once new connections fail. */
async function refused (port: number): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const socket = connect(port, '127.0.0.1')
    const outcome = await Promise.race([
      once(socket, 'connect').then(() => 'connected'),
      once(socket, 'error').then(([err]) => (err as NodeJS.ErrnoException).code ?? 'error')
    ]).catch((err: NodeJS.ErrnoException) => err.code ?? 'error')
    socket.destroy()
    if (outcome !== 'connected') return outcome
    await sleep(10)
  }
  return 'still accepting'
}

t.test('SIGTERM: accepted requests complete with 200, new connections are refused, exit 0 within the grace period', async (t) => {
  // execArgv carries tap's TypeScript loader into the child, so src/server.ts runs as it is.
  const child = spawn(process.execPath, [...process.execArgv, SERVER], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: String(GRACE_MS), RATE_LIMIT_MAX: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { child.kill('SIGKILL') })
  const output: string[] = []
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      output.push(chunk.toString())
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(buffer)
      if (match?.[1] !== undefined) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output.join('')}`)))
  })

  // Requests of different sizes, so that some answers are large (every mesh, HA, observability).
  const bodies = Array.from({ length: IN_FLIGHT }, (_, i) => JSON.stringify(i % 2 === 0
    ? { pods: 100 + i }
    : { pods: 5000 + i * 100, options: { highAvailability: true, observability: true } }))
  const accepted = await Promise.all(bodies.map(async (body) => await startRequest(port, body)))
  t.equal(accepted.length, IN_FLIGHT, `${IN_FLIGHT} requests accepted and waiting for their bodies`)

  // A keep-alive connection that has had its answer and sits idle: the server closes it on SIGTERM.
  const idle = await startRequest(port, '{"pods":1}')
  t.equal((await idle.finish()).status, 200, 'an idle keep-alive connection, before the signal')
  const idleClosed = once(idle.socket, 'close')

  const signalled = Date.now()
  child.kill('SIGTERM')
  const refusal = await refused(port)
  t.equal(refusal, 'ECONNREFUSED', `new connections are refused once closing starts (got ${refusal})`)

  await idleClosed
  t.pass('the idle keep-alive connection is closed by the server')

  const answers = await Promise.all(accepted.map(async ({ finish }) => await finish()))
  t.ok(answers.every((a) => /connection: close/i.test(a.headers)), 'answers finished during the drain say Connection: close')
  const statuses = answers.map((a) => a.status)
  t.same(statuses, bodies.map(() => 200), 'every accepted request completes with 200')
  for (const [i, a] of answers.entries()) {
    const parsed = JSON.parse(a.body) as { estimates: Array<{ totals: unknown }> }
    if (parsed.estimates.length === 0) t.fail(`answer ${i} has no estimates`)
  }
  t.pass('each answer is a whole estimate')

  const [code, signal] = await exited
  const elapsed = Date.now() - signalled
  t.equal(code, 0, `exit code 0 (signal ${signal})`)
  t.ok(elapsed < GRACE_MS, `exited ${elapsed} ms after SIGTERM, within the ${GRACE_MS} ms grace period`)
  const log = output.join('')
  t.match(log, /"signal":"SIGTERM"/, 'logs the shutdown')
  t.notMatch(log, /"level":50|"level":60/, 'no error logged')
})
