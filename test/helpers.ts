import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { createConfig, PACKAGE_ROOT, type Config } from '../src/config.js'
import { loadModels, type Models } from '../src/models/load.js'

export const SHIPPED_MODELS = join(PACKAGE_ROOT, 'models')
export const FIXTURE_MODELS = join(PACKAGE_ROOT, 'test', 'fixtures', 'models')

let shipped: Models | undefined
/** The shipped models, loaded once per test file. */
export function shippedModels (): Models {
  shipped ??= loadModels(SHIPPED_MODELS)
  return shipped
}

let fixture: Models | undefined
/** Toy models with round numbers, for hand-checked arithmetic. */
export function fixtureModels (): Models {
  fixture ??= loadModels(FIXTURE_MODELS)
  return fixture
}

/** The whole app, ready for inject or listen, closed when the test ends; config overrides the defaults. */
export async function testApp (t: { teardown: (fn: () => unknown) => void }, models: Models = shippedModels(), config: Partial<Config> = {}): Promise<FastifyInstance> {
  // Load shedding off unless a test asks: on a busy machine the event loop lags, and under coverage the test
  // process's heap (which the guard reads, whatever app it serves) passes the default, so requests would be shed
  // at random; test/plugins/overload.test.ts tests it on purpose.
  const app = await buildApp(createConfig({}, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0, ...config }), { logger: false, models })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** |a - b| < tolerance, with a readable failure. */
export function near (a: number, b: number, tolerance = 1e-6): boolean {
  return Math.abs(a - b) < tolerance
}

/** An answer is an RFC 9457 problem document with this status (and type, when given). */
export function isProblem (t: Test, res: { statusCode: number, headers: Record<string, unknown>, json: () => unknown }, status: number, type?: RegExp): void {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { status, title: String, detail: String, requestId: String, ...(type === undefined ? {} : { type }) })
}

/** A strict RFC 4180 reader: every record must have as many fields as the header. */
export function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++ } else if (ch === '\n') throw new Error(`bare LF at ${i}`)
    else field += ch
  }
  if (field !== '' || row.length > 0) throw new Error('last record not ended by CRLF')
  return rows
}
