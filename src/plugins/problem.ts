// RFC 9457 problem details for every error: a client always learns which field broke which rule,
// and a server fault never leaks its internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import { DomainError, type FieldError } from '../errors.js'
import { Problem } from '../schemas/common.js'
import { fieldErrors } from './validation.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
const PROBLEM_BASE = 'https://meshcost.dev/problems/'

/** The problem document for a request: the one place its shape is written. */
export function problemDocument (request: FastifyRequest, status: number, detail: string, options: { type?: string, errors?: FieldError[] } = {}): Problem {
  return {
    type: options.type === undefined ? 'about:blank' : PROBLEM_BASE + options.type,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(options.errors === undefined ? {} : { errors: options.errors })
  }
}

/** A domain error as the problem document it stands for (errors listed when it names fields). */
export function domainProblem (request: FastifyRequest, error: DomainError): Problem {
  return problemDocument(request, error.status, error.message, { type: error.type, ...(error.errors.length > 0 ? { errors: error.errors } : {}) })
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, status: number, detail: string, options: { type?: string, errors?: FieldError[] } = {}): FastifyReply {
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

export default fp(async function problemDetails (app: FastifyInstance) {
  app.addSchema(Problem)
  app.setErrorHandler(problemHandler)
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`, { type: 'not-found' }))
}, { name: 'problem-details' })
