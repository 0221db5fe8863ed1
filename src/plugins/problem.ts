// RFC 9457 problem details for every error: a client always learns which field broke which rule,
// and a server fault never leaks its internals. Every document is bounded by MAX_PROBLEM_BYTES, and
// even what Node's HTTP parser rejects before Fastify sees a request is answered as one (clientErrorHandler).
import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { clipText, DomainError, listErrors, type FieldError } from '../errors.js'
import { Problem } from '../schemas/common.js'
import { fieldErrors } from './validation.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
const PROBLEM_BASE = 'https://meshcost.dev/problems/'

/** The bytes each text field of a problem document takes at most (JSON-escaped UTF-8; see errors.ts clipText). */
export const PROBLEM_LIMITS = {
  /** type and title: the service's own words */
  typeBytes: 128,
  titleBytes: 128,
  /** the detail: a sentence, with at most ERROR_LIMITS.inDetail errors named in it */
  detailBytes: 2048,
  /** the request path, and the request id (a client's x-request-id is at most 128 characters) */
  instanceBytes: 256,
  requestIdBytes: 256
} as const

/**
 * The most a problem document takes, serialized, whatever the request: its text fields at their limits
 * (2,816 bytes), errors[] at ERROR_LIMITS.listedBytes (8 KiB, at most MAX_LISTED_ERRORS entries), the
 * status and the JSON around them come to 11,096 bytes. test/plugins/problem-size.test.ts adds it up and
 * checks the worst answers against it; the answer to a 64 KiB body of 32,000 wrong items is 1.4 KB.
 */
export const MAX_PROBLEM_BYTES = 12 * 1024

/** A problem document from its parts, each within PROBLEM_LIMITS and errors[] within ERROR_LIMITS. */
export function boundedProblem (status: number, detail: string, options: { type?: string, errors?: readonly FieldError[], instance?: string, requestId?: string } = {}): Problem {
  return {
    type: options.type === undefined ? 'about:blank' : clipText(PROBLEM_BASE + options.type, PROBLEM_LIMITS.typeBytes),
    title: clipText(STATUS_CODES[status] ?? 'Error', PROBLEM_LIMITS.titleBytes),
    status,
    detail: clipText(detail, PROBLEM_LIMITS.detailBytes),
    ...(options.instance === undefined ? {} : { instance: clipText(options.instance, PROBLEM_LIMITS.instanceBytes) }),
    ...(options.requestId === undefined ? {} : { requestId: clipText(options.requestId, PROBLEM_LIMITS.requestIdBytes) }),
    ...(options.errors === undefined ? {} : { errors: listErrors(options.errors).listed })
  }
}

/** The problem document for a request: the one place its shape is written. */
export function problemDocument (request: FastifyRequest, status: number, detail: string, options: { type?: string, errors?: readonly FieldError[] } = {}): Problem {
  return boundedProblem(status, detail, { ...options, instance: request.url.split('?')[0], requestId: String(request.id) })
}

/** A domain error as the problem document it stands for (errors listed when it names fields, the first MAX_LISTED_ERRORS). */
export function domainProblem (request: FastifyRequest, error: DomainError): Problem {
  return problemDocument(request, error.status, error.message, { type: error.type, ...(error.errors.length > 0 ? { errors: error.errors } : {}) })
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, status: number, detail: string, options: { type?: string, errors?: readonly FieldError[] } = {}): FastifyReply {
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problemDocument(request, status, detail, options))
}

const CODE_TYPES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-body',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-body'
}

export function problemHandler (error: FastifyError | DomainError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof DomainError) {
    return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(domainProblem(request, error))
  }
  if (error.validation !== undefined) {
    const part = error.validationContext === 'body' ? 'body' : error.validationContext === 'querystring' ? 'query string' : (error.validationContext ?? 'request')
    return problemHandler(DomainError.invalid(`request ${part}`, fieldErrors(error.validation)), request, reply)
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    // JSON.parse's message names the position of the fault, which helps the client and reveals nothing.
    const detail = error instanceof SyntaxError ? `Body is not valid JSON: ${error.message}` : error.message
    return sendProblem(request, reply, status, detail, { type: CODE_TYPES[error.code] ?? (error instanceof SyntaxError ? 'malformed-body' : undefined) })
  }
  request.log.error({ err: error }, 'unhandled error')
  return sendProblem(request, reply, 500, 'The server failed to answer this request. Quote the requestId when reporting it.')
}

/** What Node's HTTP layer rejects before a request exists (see clientErrorHandler), as a problem. */
export function clientErrorProblem (err: { code?: unknown, reason?: unknown }, requestTimeoutMs?: number): { status: number, type: string, detail: string } {
  const code = typeof err.code === 'string' ? err.code : ''
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, type: 'request-timeout', detail: `The request did not arrive whole within ${requestTimeoutMs === undefined ? 'the request timeout' : `${requestTimeoutMs} ms (REQUEST_TIMEOUT_MS)`}; the connection is closed.` }
    case 'HPE_HEADER_OVERFLOW':
      // llhttp counts the request line against the same limit, so an over-long URL lands here too: the
      // parser does not say which part overflowed, and 431 names what was too large, the head of the request.
      return { status: 431, type: 'headers-too-large', detail: `The request line and headers exceed the ${maxHeaderSize / 1024} KiB the server reads.` }
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, type: 'body-too-large', detail: 'The chunk extensions of the request body are too large.' }
  }
  // llhttp's reasons are its own fixed words ("Invalid character in Content-Length"), never the client's bytes.
  const reason = typeof err.reason === 'string' && err.reason !== '' ? err.reason : 'the connection failed'
  return { status: 400, type: 'malformed-request', detail: `The request is not valid HTTP/1.1: ${reason}${code === '' ? '' : ` (${code})`}.` }
}

/** A whole HTTP/1.1 response carrying a problem document, for a connection that is then closed. */
function rawProblemResponse (problem: Problem, requestId: string): string {
  const body = JSON.stringify(problem)
  return `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`
}

/** How long a connection answered for a parse error is kept open to read what its client still sends. */
export const CLIENT_ERROR_LINGER_MS = 1000
const answered = new WeakSet<Socket>()

/**
 * Fastify's clientErrorHandler (the server's 'clientError' event): what Node's HTTP parser rejects before
 * Fastify sees a request (a malformed request line or header, a bad Content-Length, a head over 16 KiB, a
 * request not received within the request timeout) is answered as a problem document like any other error,
 * with a fresh request id (there is no request) and Connection: close, and the connection is closed.
 * Nothing is written on a reset connection or one no longer writable. Behind pipelined requests received
 * whole, the answer waits for theirs; the request at fault (its body broken, or not received in time) is
 * answered in place of its own answer, or not at all if that answer has begun.
 */
export function clientErrorHandler (this: FastifyInstance | undefined | void, err: Error & { code?: unknown, reason?: unknown }, socket: Socket): void {
  if (answered.has(socket)) return // the parser reports each further chunk of a connection already answered
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  answered.add(socket)
  if (socket.listenerCount('error') === 0) socket.on('error', () => {}) // Node adds one; a write to a closed peer must not throw
  const { status, type, detail } = clientErrorProblem(err, this?.server.requestTimeout)
  const answer = (): void => {
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
    if (current != null && !current.writableFinished && current.req?.complete === true) {
      current.once('finish', () => setImmediate(answer)) // Node then hands the socket to the next answer, if any
      return
    }
    if (!socket.writable || current?.headersSent === true) { socket.destroy(); return }
    const requestId = randomUUID()
    this?.log.info({ requestId, statusCode: status, code: err.code }, 'client error answered')
    // A parse error: read on (the parser drops it) until the client has sent all and closes its side, or a
    // second passes. Closing with its bytes unread would reset the connection, which can lose the answer.
    let flushed = false
    let clientDone = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    const close = (): void => { if (flushed && clientDone) socket.destroy() }
    const timer = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
    socket.once('end', () => { clientDone = true; close() })
    socket.end(rawProblemResponse(boundedProblem(status, detail, { type, requestId }), requestId), () => { flushed = true; close() })
  }
  answer()
}

/** A response Node's HTTP layer would answer on its own, with no body, as a problem document instead. */
function endWithProblem (res: ServerResponse, status: number, type: string, detail: string, path: string): void {
  const requestId = randomUUID()
  const body = JSON.stringify(boundedProblem(status, detail, { type, instance: path, requestId }))
  res.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, connection: 'close' })
  res.end(body)
}

export default fp(async function problemDetails (app: FastifyInstance) {
  app.addSchema(Problem)
  app.setErrorHandler(problemHandler)
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`, { type: 'not-found' }))

  // Two answers Node's HTTP server gives without a body, before Fastify sees the request. An Expect other
  // than 100-continue: a 417 problem (with a listener, Node leaves it to us).
  app.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    endWithProblem(res, 417, 'invalid-request', 'The server meets no Expect but 100-continue.', (req.url ?? '/').split('?')[0] ?? '/'))
  // An HTTP/1.1 request without Host (RFC 9112 section 3.2): a 400 problem, here rather than Node's empty 400.
  Object.assign(app.server, { requireHostHeader: false }) // Node reads it on each request
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor === 1 && request.headers.host === undefined) {
      reply.header('connection', 'close')
      return sendProblem(request, reply, 400, 'An HTTP/1.1 request needs a Host header.', { type: 'invalid-request' })
    }
  })
}, { name: 'problem-details' })
