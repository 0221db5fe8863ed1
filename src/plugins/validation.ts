// Request validation. Bodies are checked exactly as sent: no type coercion, no silent removal of unknown
// fields, every error reported. Query strings and path parameters are text, so they are coerced.
import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { FieldError } from '../errors.js'

function ajv (coerceTypes: boolean): Ajv {
  const instance = new Ajv({ allErrors: true, coerceTypes: coerceTypes ? 'array' : false, removeAdditional: false, useDefaults: false, strict: false })
  addFormats.default(instance)
  return instance
}

const strictAjv = ajv(false)
const coercingAjv = ajv(true)

function compile (schema: object, httpPart: string | undefined) {
  // $id would make a second compile of the same schema collide inside Ajv's registry.
  const { $id: _id, ...rest } = schema as { $id?: string }
  return (httpPart === 'body' ? strictAjv : coercingAjv).compile(rest)
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => compile(schema, httpPart)

/**
 * A check outside any route, by the rules a route gives that part of the request (a batch's scenarios are
 * bodies; the command line's flags are a query string, coerced in place): the field errors, none when valid.
 */
export function fieldChecker (schema: object, httpPart: 'body' | 'querystring'): (value: unknown) => FieldError[] {
  const validate = compile(schema, httpPart)
  return (value) => validate(value) ? [] : fieldErrors(validate.errors ?? [])
}

/** Ajv errors as one sentence per field: the field's JSON pointer and the rule it broke. */
export function fieldErrors (errors: readonly Partial<ErrorObject>[]): FieldError[] {
  const byPointer = new Map<string, { allowed: unknown[], details: string[] }>()
  const entry = (pointer: string) => {
    let e = byPointer.get(pointer)
    if (e === undefined) { e = { allowed: [], details: [] }; byPointer.set(pointer, e) }
    return e
  }
  for (const error of errors) {
    const at = error.instancePath ?? ''
    const params = (error.params ?? {}) as Record<string, unknown>
    switch (error.keyword) {
      case 'required':
        entry(`${at}/${String(params.missingProperty)}`).details.push('is required')
        break
      case 'additionalProperties':
        entry(`${at}/${String(params.additionalProperty)}`).details.push('is not a known field')
        break
      case 'const':
        entry(at).allowed.push(params.allowedValue)
        break
      case 'enum':
        entry(at).allowed.push(...(params.allowedValues as unknown[]))
        break
      case 'anyOf':
        break // summarised by the const/enum errors of its branches
      default:
        entry(at).details.push(error.message ?? 'is invalid')
    }
  }
  return [...byPointer].flatMap(([pointer, { allowed, details }]) => {
    const messages = [...new Set(details)]
    if (allowed.length > 0) messages.push(`must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`)
    if (messages.length === 0) messages.push('is invalid')
    return messages.map((detail) => ({ pointer: pointer === '' ? '/' : pointer, detail }))
  })
}
