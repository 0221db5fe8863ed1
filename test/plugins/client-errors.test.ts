// What Node's HTTP layer rejects before Fastify sees a request (plugins/problem.ts clientErrorHandler, and the
// 417 and missing-Host answers of the problem plugin), over a real socket, byte by byte: each answer is a
// whole HTTP/1.1 response, application/problem+json with the status it carries, Connection: close, and the
// service goes on serving. Errors raised before routing (frameworkErrors) are checked here over a socket too.
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { clientErrorHandler, clientErrorProblem, MAX_PROBLEM_BYTES } from '../../src/plugins/problem.js'
import { testApp } from '../helpers.js'

interface Answer { status: number, headers: Record<string, string>, body: string, rest: string, raw: string }

/** Bytes written on a fresh connection (each string one write, ms apart), everything read until the server closes it. */
async function exchange (port: number, writes: string[], pauseMs = 0): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {}) // a reset is seen as a missing answer
  const closed = once(socket, 'close')
  for (const bytes of writes) {
    if (socket.destroyed) break
    socket.write(bytes)
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
  await closed
  return Buffer.concat(chunks).toString('latin1')
}

/** The first response in raw: status line, headers (lower-cased), a body of exactly Content-Length bytes, and what follows. */
function parse (raw: string): Answer | undefined {
  const head = raw.indexOf('\r\n\r\n')
  const status = /^HTTP\/1\.1 (\d{3}) [^\r\n]+\r\n/.exec(raw)
  if (head < 0 || status === null) return undefined
  const headers: Record<string, string> = {}
  for (const line of raw.slice(status[0].length, head).split('\r\n')) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'])
  const start = head + 4
  if (!Number.isInteger(length) || raw.length < start + length) return undefined
  return { status: Number(status[1]), headers, body: Buffer.from(raw.slice(start, start + length), 'latin1').toString('utf8'), rest: raw.slice(start + length), raw }
}

/** A whole problem answer with this status on a connection then closed: checked, and the document returned. */
function isProblemAnswer (t: Test, raw: string, status: number, type?: RegExp): Record<string, unknown> | undefined {
  const answer = parse(raw)
  if (!t.ok(answer, `a whole HTTP/1.1 response (got ${JSON.stringify(raw.slice(0, 200))})`) || answer === undefined) return undefined
  t.equal(answer.status, status, `status ${status}`)
  t.match(answer.headers['content-type'], /^application\/problem\+json/, 'problem+json')
  t.equal(answer.rest, '', 'nothing after the answer')
  let problem: Record<string, unknown> = {}
  t.doesNotThrow(() => { problem = JSON.parse(answer.body) as Record<string, unknown> }, 'a JSON body')
  t.match(problem, { status, title: String, detail: String, requestId: String, ...(type === undefined ? {} : { type }) }, 'a problem document')
  t.equal(answer.headers['x-request-id'], problem.requestId, 'x-request-id is the document\'s requestId')
  t.ok(Buffer.byteLength(answer.body) <= MAX_PROBLEM_BYTES, 'within MAX_PROBLEM_BYTES')
  return problem
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('what the HTTP parser rejects is a problem document on a closed connection; the service keeps serving', async (t) => {
  const app = await testApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const post = 'POST /estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
  // instance: the request path, for what reached Fastify or Node's request handling; none for what the parser rejects.
  const cases: Array<{ name: string, writes: string[], status: number, type: RegExp, detail?: RegExp, instance?: string }> = [
    { name: 'a Content-Length that is not a number', writes: [`${post}Content-Length: abc\r\n\r\n{"pods":1}`], status: 400, type: /malformed-request$/, detail: /Content-Length \(HPE_INVALID_CONTENT_LENGTH\)/ },
    { name: 'two Content-Lengths', writes: [`${post}Content-Length: 10\r\nContent-Length: 11\r\n\r\n{"pods":1}`], status: 400, type: /malformed-request$/ },
    { name: 'Content-Length with Transfer-Encoding: chunked', writes: [`${post}Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n{"pods":1}`], status: 400, type: /malformed-request$/ },
    { name: 'a malformed request line', writes: ['this is not HTTP\r\n\r\n'], status: 400, type: /malformed-request$/, detail: /HPE_INVALID_METHOD/ },
    { name: 'an unknown HTTP version', writes: ['GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'], status: 400, type: /malformed-request$/ },
    { name: 'a header without a colon', writes: ['GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'], status: 400, type: /malformed-request$/ },
    { name: 'a 16 KiB URL', writes: [`GET /meshes?pad=${'a'.repeat(16 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`], status: 431, type: /headers-too-large$/, detail: /16 KiB/ },
    { name: 'headers over 16 KiB in one write', writes: [`GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 17 }, (_, i) => `x-pad-${i}: ${'a'.repeat(1000)}\r\n`).join('')}\r\n`], status: 431, type: /headers-too-large$/ },
    { name: 'headers over 16 KiB, 200 KiB of them written on after the answer', writes: ['GET /healthz HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: 200 }, (_, i) => `x-pad-${i}: ${'a'.repeat(1000)}\r\n`), '\r\n'], status: 431, type: /headers-too-large$/ },
    { name: 'chunk extensions over 16 KiB', writes: [`POST /estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\na;${'e'.repeat(20 * 1024)}\r\n{"pods":1}\r\n0\r\n\r\n`], status: 413, type: /body-too-large$/ },
    { name: 'an Expect other than 100-continue', writes: [`${post}Expect: tea\r\nContent-Length: 10\r\n\r\n{"pods":1}`], status: 417, type: /invalid-request$/, instance: '/estimate' },
    { name: 'an HTTP/1.1 request without Host', writes: ['GET /healthz HTTP/1.1\r\n\r\n'], status: 400, type: /invalid-request$/, detail: /Host/, instance: '/healthz' },
    { name: 'a path parameter over maxParamLength (100)', writes: [`GET /meshes/${'a'.repeat(101)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], status: 414, type: /invalid-request$/, instance: `/meshes/${'a'.repeat(101)}` },
    { name: 'a malformed percent-encoding in the path', writes: ['GET /meshes/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], status: 400, type: /invalid-request$/, instance: '/meshes/%ZZ' }
  ]
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const problem = isProblemAnswer(t, await exchange(port, c.writes), c.status, c.type)
      if (c.detail !== undefined) t.match(problem?.detail, c.detail, 'says what was wrong')
      t.equal(problem?.instance, c.instance, c.instance === undefined ? 'no instance without a request' : 'the request path')
      t.match(problem?.requestId, UUID, 'a fresh request id')
    })
  }
  const ok = await request(`http://127.0.0.1:${port}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":5}' })
  t.equal(ok.statusCode, 200, 'still serving')
  await ok.body.dump()
})

t.test('a malformed request behind a pipelined one is answered after it, on the same connection', async (t) => {
  const app = await testApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const raw = await exchange(port, ['POST /estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"pods":1}GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'])
  const first = parse(raw)
  t.equal(first?.status, 200, 'the good request is answered first')
  t.match(JSON.parse(first?.body ?? '{}'), { estimates: Array }, 'with its estimate')
  isProblemAnswer(t, first?.rest ?? '', 400, /malformed-request$/)
})

t.test('a request not received within the request timeout is a 408 problem', async (t) => {
  const app = await testApp(t, undefined, { requestTimeoutMs: 1000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const [midBody, midHead] = await Promise.all([
    exchange(port, ['POST /estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pods":']),
    exchange(port, ['POST /estimate HTTP/1.1\r\nHost: x\r\n'])
  ])
  for (const [name, raw] of [['stopped mid-body', midBody], ['stopped mid-head', midHead]] as const) {
    await t.test(name, async (t) => {
      const problem = isProblemAnswer(t, raw, 408, /request-timeout$/)
      t.match(problem?.detail, /1000 ms \(REQUEST_TIMEOUT_MS\)/)
    })
  }
  const ok = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 3 } })
  t.equal(ok.statusCode, 200, 'still serving')
})

/** A socket-shaped stand-in that records what is written and whether it was destroyed. */
function fakeSocket (options: { writable?: boolean, inFlight?: Partial<ServerResponse> } = {}): Socket & { written: string[], destroyedCalls: number } {
  const fake = {
    written: [] as string[],
    destroyedCalls: 0,
    writable: options.writable ?? true,
    _httpMessage: options.inFlight ?? null,
    write (data: string) { fake.written.push(data); return true },
    end (data?: string) { if (data !== undefined) fake.written.push(data); return fake },
    destroy () { fake.destroyedCalls++; return fake },
    on () { return fake },
    once () { return fake },
    listenerCount () { return 1 }
  }
  return fake as unknown as Socket & { written: string[], destroyedCalls: number }
}

t.test('nothing is written on a reset connection, one not writable, or a timed-out one whose answer has begun', async (t) => {
  const parseError = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', reason: 'Invalid method encountered' })
  const reset = fakeSocket()
  clientErrorHandler(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), reset)
  t.same(reset.written, [], 'ECONNRESET: nothing written')
  t.equal(reset.destroyedCalls, 1, 'ECONNRESET: destroyed')
  const gone = fakeSocket({ writable: false })
  clientErrorHandler(parseError, gone)
  t.same(gone.written, [], 'not writable: nothing written')
  t.equal(gone.destroyedCalls, 1, 'not writable: destroyed')
  const begun = fakeSocket({ inFlight: { headersSent: true, writableFinished: false } })
  clientErrorHandler(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), begun)
  t.same(begun.written, [], 'timeout after the answer began: nothing written')
  t.equal(begun.destroyedCalls, 1, 'timeout after the answer began: destroyed')
  const fine = fakeSocket()
  clientErrorHandler(parseError, fine)
  clientErrorHandler(parseError, fine)
  t.equal(fine.written.length, 1, 'a connection is answered once, however many errors its parser reports')
  t.match(fine.written[0], /^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n\r\n\{/)
})

t.test('each parser error has its status', async (t) => {
  t.match(clientErrorProblem({ code: 'HPE_HEADER_OVERFLOW' }), { status: 431, type: 'headers-too-large' })
  t.match(clientErrorProblem({ code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' }), { status: 413, type: 'body-too-large' })
  t.match(clientErrorProblem({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, 30_000), { status: 408, detail: /30000 ms/ })
  t.match(clientErrorProblem({ code: 'HPE_INVALID_CHUNK_SIZE', reason: 'Invalid character in chunk size' }), { status: 400, detail: 'The request is not valid HTTP/1.1: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE).' })
  t.match(clientErrorProblem({ code: 'EPIPE' }), { status: 400, detail: /the connection failed \(EPIPE\)/ })
  t.match(clientErrorProblem({}), { status: 400 })
})
