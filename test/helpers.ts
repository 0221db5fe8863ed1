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
  // Load shedding off unless a test asks: on a busy machine the event loop lags and requests would be shed
  // at random; test/plugins/overload.test.ts tests it on purpose.
  const app = await buildApp(createConfig({}, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, ...config }), { logger: false, models })
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
