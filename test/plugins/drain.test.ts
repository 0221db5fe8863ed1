// Shutdown over real sockets against the real server process (src/server.ts), as Kubernetes drives it.
//
// 1. The scenario of issue 12: 400 estimates, one per connection, at most 64 open, SIGTERM 15 ms after
//    they start. Every request answers 200 (no reset, no 503), /readyz answers 503 during the delay while
//    POST /estimate still answers 200, and the process exits 0 within the delay plus the grace period.
// 2. Requests in flight when the listener closes, made exact with Expect: 100-continue (the server answers
//    "100 Continue" only once it has routed the request); a connection accepted before the close whose
//    request arrives after it; an idle keep-alive connection.
// 3. 64 keep-alive clients posting back to back through SIGTERM, three times: no request reset.
// 4. A client that never finishes its request cannot hold the process past the grace period.
// (Broken model files and a taken port are covered by server.test.ts.)
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request as httpRequest, Agent } from 'node:http'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { DEFAULT_CONFIG, PACKAGE_ROOT } from '../../src/config.js'

const SERVER = join(PACKAGE_ROOT, 'src', 'server.ts')

interface Server { child: ChildProcess, port: number, log: () => string, exited: Promise<[number | null, NodeJS.Signals | null]> }

async function startServer (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>): Promise<Server> {
  // execArgv carries tap's TypeScript loader into the child, so src/server.ts runs as it is.
  const child = spawn(process.execPath, [...process.execArgv, SERVER], {
    // Load shedding off: on a machine this busy the event loop lags, and under tap's coverage on Node 24 the
    // heap of a replica answering thousands of requests a second passed the 384 MiB guard once, and requests
    // were shed with a 503, as they should be under overload (test/plugins/overload.test.ts); here only
    // shutdown is tested.
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', OVERLOAD_MAX_HEAP_USED_MIB: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { child.kill('SIGKILL') })
  const output: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      output.push(chunk.toString())
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(buffer)
      if (match?.[1] !== undefined) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output.join('')}`)))
  })
  return { child, port, log: () => output.join(''), exited }
}

type Outcome = { status: number, connection: string } | { error: string }

/** One request on its own connection (no keep-alive agent): the status, or the socket error's code. */
async function send (port: number, agent: Agent, method: string, path: string, body?: string): Promise<Outcome> {
  return await new Promise((resolve) => {
    const req = httpRequest({ port, host: '127.0.0.1', method, path, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection) }))
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
    })
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
    req.end(body)
  })
}

const ISSUE_REQUESTS = 400
const ISSUE_CONCURRENCY = 64
const ISSUE_SIGNAL_AFTER_MS = 15

t.test(`the issue's scenario: ${ISSUE_REQUESTS} estimates on their own connections, at most ${ISSUE_CONCURRENCY} open, SIGTERM ${ISSUE_SIGNAL_AFTER_MS} ms in`, async (t) => {
  // Default delay and grace, as a new user (or Kubernetes) runs it.
  const { child, port, log, exited } = await startServer(t, {})
  const delayMs = DEFAULT_CONFIG.shutdownDelayMs
  const limitMs = DEFAULT_CONFIG.shutdownDelayMs + DEFAULT_CONFIG.shutdownGraceMs
  const agent = new Agent({ keepAlive: false, maxSockets: ISSUE_CONCURRENCY })
  const bodies = Array.from({ length: ISSUE_REQUESTS }, (_, i) => JSON.stringify(i % 10 === 0
    ? { pods: 5000 + i, options: { highAvailability: true, observability: true } }
    : { pods: 100 + i }))

  const started = Date.now()
  const load = Promise.all(bodies.map(async (body) => await send(port, agent, 'POST', '/estimate', body)))
  await sleep(ISSUE_SIGNAL_AFTER_MS)
  const signalled = Date.now()
  child.kill('SIGTERM')

  // During the delay: readiness is off, the API is not (each probe on a new connection).
  await sleep(200)
  const probe = new Agent({ keepAlive: false })
  const ready = await send(port, probe, 'GET', '/readyz')
  const estimate = await send(port, probe, 'POST', '/estimate', '{"pods":10}')
  const probedMs = Date.now() - signalled

  const outcomes = await load
  const loadMs = Date.now() - started
  const [code] = await exited
  const exitMs = Date.now() - signalled

  const statuses: Record<string, number> = {}
  for (const o of outcomes) {
    const key = 'error' in o ? o.error : String(o.status)
    statuses[key] = (statuses[key] ?? 0) + 1
  }
  t.comment(`outcomes ${JSON.stringify(statuses)}; load took ${loadMs} ms; exit ${code} ${exitMs} ms after SIGTERM (delay ${delayMs} ms, limit ${limitMs} ms)`)
  t.same(statuses, { 200: ISSUE_REQUESTS }, `all ${ISSUE_REQUESTS} requests answered 200: none reset, none refused, no 503`)
  t.ok(probedMs < delayMs, `probed ${probedMs} ms after SIGTERM, within the delay`)
  t.same(ready, { status: 503, connection: 'close' }, '/readyz answers 503 during the delay')
  t.same(estimate, { status: 200, connection: 'close' }, 'POST /estimate answers 200 during the delay, asking the client to reconnect')
  t.equal(code, 0, 'exit code 0')
  t.ok(exitMs >= delayMs, `kept serving for the delay (${exitMs} >= ${delayMs} ms)`)
  t.ok(exitMs < limitMs, `exited ${exitMs} ms after SIGTERM, within delay + grace (${limitMs} ms)`)
  t.match(log(), /"signal":"SIGTERM"/, 'logs the shutdown')
  t.notMatch(log(), /"level":(50|60)/, 'no error logged')
})

const CONTINUOUS_CLIENTS = 64
const CONTINUOUS_RUNS = 3

/**
 * One client posting estimates back to back over a keep-alive connection (reconnecting when an answer says
 * Connection: close), until a request fails: refused once the listener has closed, or reset. Counts each
 * outcome, and keeps the local port of each reset.
 */
async function continuousClient (port: number, outcomes: Record<string, number>, resetPorts: number[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (;;) {
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/estimate', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume()
          res.on('end', () => resolve(String(res.statusCode)))
        })
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ECONNREFUSED') resetPorts.push(req.socket?.localPort ?? 0)
          resolve(err.code ?? err.message)
        })
        req.end('{"pods":100}')
      })
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      if (!/^\d+$/.test(outcome)) return
    }
  } finally {
    agent.destroy()
  }
}

t.test(`${CONTINUOUS_CLIENTS} keep-alive clients posting without pause through SIGTERM: no accepted request reset, exit 0 within the grace period, ${CONTINUOUS_RUNS} runs of ${CONTINUOUS_RUNS}`, async (t) => {
  const DELAY_MS = 1000
  const GRACE_MS = 5000
  for (let run = 1; run <= CONTINUOUS_RUNS; run++) {
    const { child, port, log, exited } = await startServer(t, { SHUTDOWN_DELAY_MS: String(DELAY_MS), SHUTDOWN_GRACE_MS: String(GRACE_MS), RATE_LIMIT_MAX: '0', LOG_LEVEL: 'debug' })
    const outcomes: Record<string, number> = {}
    const resetPorts: number[] = []
    const clients = Promise.all(Array.from({ length: CONTINUOUS_CLIENTS }, async () => await continuousClient(port, outcomes, resetPorts)))
    await sleep(300)
    const signalled = Date.now()
    child.kill('SIGTERM')
    await clients
    const [code] = await exited
    const exitMs = Date.now() - signalled

    // A reset connection the process accepted had its request read (or about to be): the client cannot know
    // whether it was processed. One still in the kernel's accept queue when the listener closed was never read
    // by the process (Node accepts one queued connection per turn of its event loop, so a busy replica has a
    // queue): its request was not processed, though the client cannot tell either. Counted apart.
    const acceptedPorts = new Set(log().split('\n').filter((l) => l.includes('connection accepted while shutting down')).map((l) => (JSON.parse(l) as { remotePort: number }).remotePort))
    const acceptedResets = resetPorts.filter((p) => acceptedPorts.has(p)).length
    const { 200: answered = 0, ECONNREFUSED: refusedCount = 0 } = outcomes
    const failed = Object.entries(outcomes).filter(([key]) => key !== '200' && key !== 'ECONNREFUSED')
    t.comment(`run ${run}: ${JSON.stringify(outcomes)}; ${acceptedResets} resets of accepted connections, ${resetPorts.length - acceptedResets} of connections still in the kernel's queue; exit ${code} ${exitMs} ms after SIGTERM`)
    t.ok(acceptedPorts.size > 0, `run ${run}: the process says which connections it accepted while shutting down (${acceptedPorts.size})`)
    t.equal(acceptedResets, 0, `run ${run}: no connection the process accepted is reset (${answered} answered 200, ${refusedCount} refused)`)
    t.ok(failed.every(([key]) => key === 'ECONNRESET'), `run ${run}: requests fail only by a refused connection or a reset (${JSON.stringify(failed)})`)
    t.equal(code, 0, `run ${run}: exit code 0`)
    t.ok(exitMs < DELAY_MS + GRACE_MS, `run ${run}: exited ${exitMs} ms after SIGTERM, within delay + grace (${DELAY_MS + GRACE_MS} ms)`)
    t.notMatch(log(), /"level":(50|60)/, `run ${run}: no error logged`)
  }
})

/** Sends the headers of POST /estimate with Expect: 100-continue; resolves once the server says Continue. */
async function startRequest (port: number, body: string): Promise<{ socket: Socket, finish: () => Promise<RawResponse> }> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const read = reader(socket)
  socket.write(`POST /estimate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`)
  for (let waited = 0; !read.text().includes('100 Continue'); waited += 5) {
    if (waited > 10_000) throw new Error(`no 100 Continue: ${JSON.stringify(read.text())}`)
    await sleep(5)
  }
  read.skip(read.text().indexOf('\r\n\r\n') + 4)
  return { socket, finish: async () => { socket.write(body); return await read.response() } }
}

interface RawResponse { status: number, headers: string, body: string }

/** Accumulates what a raw socket receives; response() waits for one whole answer (content-length). */
function reader (socket: Socket): { text: () => string, skip: (n: number) => void, response: () => Promise<RawResponse> } {
  let received = ''
  let closed = false
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
  socket.on('error', () => {})
  socket.on('close', () => { closed = true })
  return {
    text: () => received,
    skip: (n) => { received = received.slice(n) },
    response: async () => {
      for (let waited = 0; ; waited += 10) {
        const end = received.indexOf('\r\n\r\n')
        if (end >= 0) {
          const headers = received.slice(0, end)
          const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? NaN)
          const body = received.slice(end + 4)
          if (Buffer.byteLength(body, 'latin1') >= length) return { status: Number(headers.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') }
        }
        if (closed) throw new Error(`connection closed before a whole answer: ${JSON.stringify(received.slice(0, 200))}`)
        if (waited > 15_000) throw new Error(`incomplete answer: ${received.slice(0, 200)}`)
        await sleep(10)
      }
    }
  }
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

t.test('when the listener closes: requests in flight finish, a request already on an accepted connection is answered, idle connections close, exit 0', async (t) => {
  const GRACE_MS = 8000
  const IN_FLIGHT = 24
  const { child, port, log, exited } = await startServer(t, { SHUTDOWN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: String(GRACE_MS), RATE_LIMIT_MAX: '0' })

  // Requests of different sizes, so that some answers are large (every mesh, HA, observability).
  const bodies = Array.from({ length: IN_FLIGHT }, (_, i) => JSON.stringify(i % 2 === 0
    ? { pods: 100 + i }
    : { pods: 5000 + i * 100, options: { highAvailability: true, observability: true } }))
  const accepted = await Promise.all(bodies.map(async (body) => await startRequest(port, body)))
  t.equal(accepted.length, IN_FLIGHT, `${IN_FLIGHT} requests routed and waiting for their bodies`)

  // A keep-alive connection that has had its answer and sits idle: the server closes it.
  const idle = await startRequest(port, '{"pods":1}')
  t.equal((await idle.finish()).status, 200, 'an idle keep-alive connection, before the signal')
  const idleClosed = once(idle.socket, 'close')

  // A connection accepted before the signal whose request arrives only after the listener has closed.
  const early = connect(port, '127.0.0.1')
  await once(early, 'connect')
  const earlyRead = reader(early)

  const signalled = Date.now()
  child.kill('SIGTERM')
  const refusal = await refused(port)
  t.equal(refusal, 'ECONNREFUSED', `new connections are refused once the listener closes (got ${refusal})`)

  const body = '{"pods":42}'
  early.write(`POST /estimate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  const late = await earlyRead.response()
  t.equal(late.status, 200, 'a connection accepted before the close is answered, not reset, when its request comes after it')
  t.match(late.headers, /connection: close/i, '... and told to close')

  await idleClosed
  t.pass('the idle keep-alive connection is closed by the server')

  const answers = await Promise.all(accepted.map(async ({ finish }) => await finish()))
  t.ok(answers.every((a) => /connection: close/i.test(a.headers)), 'answers finished during the drain say Connection: close')
  t.same(answers.map((a) => a.status), bodies.map(() => 200), 'every request in flight completes with 200')
  for (const [i, a] of answers.entries()) {
    const parsed = JSON.parse(a.body) as { estimates: Array<{ totals: unknown }> }
    if (parsed.estimates.length === 0) t.fail(`answer ${i} has no estimates`)
  }
  t.pass('each answer is a whole estimate')

  const [code, signal] = await exited
  const elapsed = Date.now() - signalled
  t.equal(code, 0, `exit code 0 (signal ${signal})`)
  t.ok(elapsed < GRACE_MS, `exited ${elapsed} ms after SIGTERM, within the ${GRACE_MS} ms grace period`)
  t.notMatch(log(), /"level":(50|60)/, 'no error logged')
})

t.test('SIGINT (Ctrl-C) skips the delay', async (t) => {
  const { child, exited } = await startServer(t, { SHUTDOWN_DELAY_MS: '20000' })
  const signalled = Date.now()
  child.kill('SIGINT')
  const [code] = await exited
  t.equal(code, 0)
  t.ok(Date.now() - signalled < 5000, `exited ${Date.now() - signalled} ms after SIGINT despite a 20 s delay`)
})

t.test('a request that never completes cannot hold the process past the grace period', async (t) => {
  const GRACE_MS = 1500
  const { child, port, log, exited } = await startServer(t, { SHUTDOWN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: String(GRACE_MS) })
  const stuck = connect(port, '127.0.0.1')
  await once(stuck, 'connect')
  stuck.on('error', () => {})
  stuck.write('POST /estimate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"po')
  await sleep(100)
  const signalled = Date.now()
  child.kill('SIGTERM')
  const [code] = await exited
  const elapsed = Date.now() - signalled
  t.equal(code, 1, 'exit 1: the grace period ran out')
  t.ok(elapsed >= GRACE_MS && elapsed < GRACE_MS + 3000, `exited ${elapsed} ms after SIGTERM (grace ${GRACE_MS} ms)`)
  t.match(log(), /killed by timeout/, 'says why')
  stuck.destroy()
})
