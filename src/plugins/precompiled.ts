// Route validators and serialisers compiled at build time. Compiling them (Ajv for request schemas,
// fast-json-stringify for response schemas) was about a third of start-up, and compiling them on a route's
// first request instead held the event loop long enough for the overload guard to shed requests. So
// `npm run build` builds the app once, takes every schema it compiled, and writes Ajv's standalone code and
// fast-json-stringify's standalone code for each to dist/schemas.cjs (scripts/precompile.ts).
//
// Each function is filed under a hash of what produced it: the compiler's options and the schema's JSON. At
// start-up a schema is looked up by the same hash, so a build older than the schemas (an edited schema, a
// changed option) cannot serve stale validation: its hash is not in the file, and that schema is compiled
// at start-up as before, which the app logs as a warning (app.ts).
import { createHash } from 'node:crypto'
import { requirePrecompiled } from './precompiled-file.js'
export const PRECOMPILED_FORMAT = 1

// Both compilers' function types, loosely: Fastify's own are generic over the route.
type Compiled = (...args: never[]) => unknown

/** What dist/schemas.cjs exports. */
export interface PrecompiledModule {
  format: number
  validators: Record<string, Compiled>
  serializers: Record<string, Compiled>
}

export type SchemaKind = 'validator' | 'serializer'

/** A schema compiled in this process: what the build writes standalone code for. */
export interface CompiledSchema { kind: SchemaKind, options: object, schema: object }

/** The key of a compiled function: sha256 over its kind, the compiler's options and the schema. */
export function schemaKey (kind: SchemaKind, options: object, schema: object): string {
  return `${kind[0]}${createHash('sha256').update(JSON.stringify([kind, options, schema])).digest('hex').slice(0, 40)}`
}

/** dist/schemas.cjs, or none (no build yet, as under tsx): every schema is then compiled at start-up. */
export function loadPrecompiled (file?: string): PrecompiledModule {
  let loaded: PrecompiledModule
  try {
    loaded = requirePrecompiled(file) as PrecompiledModule
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return { format: PRECOMPILED_FORMAT, validators: {}, serializers: {} }
    throw err
  }
  if (loaded.format !== PRECOMPILED_FORMAT) return { format: PRECOMPILED_FORMAT, validators: {}, serializers: {} }
  return loaded
}

/**
 * The compiled functions of one app (or of the checks outside routes): precompiled when the build wrote one
 * for exactly this schema and options, else compiled here. Remembers every schema it was asked for, so
 * that the build can write them all, and which ones it had to compile.
 */
export class SchemaCache {
  /** every schema asked for, by key */
  readonly seen = new Map<string, CompiledSchema>()
  /** keys compiled in this process because the build had none for them */
  readonly compiledHere = new Set<string>()
  /** whether an app has logged compiledHere (app.ts) */
  reported = false
  private readonly functions = new Map<string, unknown>()

  constructor (private readonly precompiled: PrecompiledModule) {}

  get<F> (kind: SchemaKind, options: object, schema: object, compile: () => F): F {
    const key = schemaKey(kind, options, schema)
    const known = this.functions.get(key)
    if (known !== undefined) return known as F
    this.seen.set(key, { kind, options, schema })
    let fn = (kind === 'validator' ? this.precompiled.validators : this.precompiled.serializers)[key] as F | undefined
    if (fn === undefined) {
      fn = compile()
      this.compiledHere.add(key)
    }
    this.functions.set(key, fn)
    return fn
  }
}

/** The process's cache, over dist/schemas.cjs: every app and every check outside a route uses it. */
export const schemaCache = new SchemaCache(loadPrecompiled())
