// Request validation. Bodies are checked exactly as sent: no type coercion, no silent removal of unknown
// fields, every error reported. Query strings and path parameters are text, so they are coerced.
// The validators are Ajv's, compiled at build time where the build saw the same schema (precompiled.ts).
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { FieldError } from '../errors.js'
import { schemaCache, type SchemaCache } from './precompiled.js'

/** Ajv's options for a part of the request; the build compiles with the same (plus code.source). */
export function ajvOptions (httpPart: string | undefined): Options {
  return { allErrors: true, coerceTypes: httpPart === 'body' ? false : 'array', removeAdditional: false, useDefaults: false, strict: false }
}

export function createAjv (options: Options): Ajv {
  const instance = new Ajv(options)
  addFormats.default(instance)
  return instance
}

/** The schema Ajv compiles: $id would make a second compile of the same schema collide inside Ajv's registry. */
export function withoutId (schema: object): object {
  const { $id: _id, ...rest } = schema as { $id?: string }
  return rest
}

let ajvs: Map<boolean, Ajv> | undefined // made on the first schema the build did not compile
function compile (cache: SchemaCache, schema: object, httpPart: string | undefined): ValidateFunction {
  const options = ajvOptions(httpPart)
  const rest = withoutId(schema)
  return cache.get('validator', options, rest, () => {
    ajvs ??= new Map()
    const body = httpPart === 'body'
    let ajv = ajvs.get(body)
    if (ajv === undefined) { ajv = createAjv(options); ajvs.set(body, ajv) }
    return ajv.compile(rest)
  })
}

/** Fastify's validator compiler for one app, with its cache (what the build reads, what start-up compiled). */
export function createValidatorCompiler (cache: SchemaCache = schemaCache): FastifySchemaCompiler<object> {
  return ({ schema, httpPart }) => compile(cache, schema, httpPart)
}

/**
 * A check outside any route, by the rules a route gives that part of the request (a batch's scenarios are
 * bodies; the command line's flags are a query string, coerced in place): the field errors, none when valid.
 */
export function fieldChecker (schema: object, httpPart: 'body' | 'querystring'): (value: unknown) => FieldError[] {
  const validate = compile(schemaCache, schema, httpPart)
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
