// Problem documents stay small (issue 24): errors[] lists at most MAX_LISTED_ERRORS, each once; the detail
// names the first few and says how many more; every text is clipped; so the answer to a 64 KiB body full of
// wrong items is a few KiB, not the 3 MB of listing 32,700 errors twice, and no answer exceeds MAX_PROBLEM_BYTES.
import type { FastifyRequest } from 'fastify'
import fc from 'fast-check'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { clipText, describeErrors, DomainError, ERROR_LIMITS, jsonBytes, listErrors, MAX_LISTED_ERRORS, type FieldError } from '../../src/errors.js'
import { boundedProblem, MAX_PROBLEM_BYTES, PROBLEM_LIMITS, problemDocument } from '../../src/plugins/problem.js'
import { shippedModels, testApp } from '../helpers.js'

const BODY_LIMIT = 64 * 1024

/** A JSON body of about `bytes` bytes: prefix, then `item` repeated, comma-separated, then suffix; and how many items. */
function filled (prefix: string, item: string, suffix: string, bytes = BODY_LIMIT - 64): { body: string, items: number } {
  const items = Math.floor((bytes - prefix.length - suffix.length + 1) / (item.length + 1))
  return { body: prefix + Array.from({ length: items }, () => item).join(',') + suffix, items }
}

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value))

t.test('the bound is what the limits add up to', async (t) => {
  const skeleton = bytesOf({ type: '', title: '', status: 599, detail: '', instance: '', requestId: '', errors: [] })
  const fields = PROBLEM_LIMITS.typeBytes + PROBLEM_LIMITS.titleBytes + PROBLEM_LIMITS.detailBytes + PROBLEM_LIMITS.instanceBytes + PROBLEM_LIMITS.requestIdBytes
  const bound = skeleton + fields + ERROR_LIMITS.listedBytes
  t.ok(bound <= MAX_PROBLEM_BYTES, `${bound} bytes at most <= MAX_PROBLEM_BYTES ${MAX_PROBLEM_BYTES}`)
  t.ok(ERROR_LIMITS.pointerBytes + ERROR_LIMITS.detailBytes + 27 <= ERROR_LIMITS.listedBytes, 'one error always fits errors[]')
  t.ok(ERROR_LIMITS.pointerBytes + ERROR_LIMITS.detailBytes + 2 <= ERROR_LIMITS.inDetailBytes, 'one error always fits the detail')
  t.ok(ERROR_LIMITS.inDetailBytes + 200 <= PROBLEM_LIMITS.detailBytes, 'the errors named in a detail, its words and "and M more" fit the detail')
  t.equal(ERROR_LIMITS.listed, MAX_LISTED_ERRORS)
})

t.test('a 64 KiB body of 32,000 wrong items: 20 errors, each once, the rest counted, a few KiB', async (t) => {
  const app = await testApp(t)
  const { body, items } = filled('{"pods":1,"meshes":[', '1', ']}')
  t.ok(items > 32_000, `${items} wrong items`)
  const res = await app.inject({ method: 'POST', url: '/estimate', payload: body, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.ok(res.rawPayload.length <= MAX_PROBLEM_BYTES, `${res.rawPayload.length} bytes <= ${MAX_PROBLEM_BYTES}`)
  t.ok(res.rawPayload.length < 16 * 1024, 'under 16 KiB')
  const problem = res.json<{ detail: string, errors: FieldError[] }>()
  t.equal(problem.errors.length, MAX_LISTED_ERRORS, 'errors[] lists 20')
  t.equal(new Set(problem.errors.map((e) => `${e.pointer} ${e.detail}`)).size, MAX_LISTED_ERRORS, 'each once')
  t.same(problem.errors.slice(0, 3), [
    { pointer: '/meshes', detail: 'must NOT have more than 20 items' },
    { pointer: '/meshes/0', detail: 'must be string' },
    { pointer: '/meshes/1', detail: 'must be string' }
  ], 'in the order found')
  // The detail: the first ERROR_LIMITS.inDetail errors in the usual words, then how many more (items + 1 in all).
  t.equal(problem.detail, `The request body is not valid: /meshes must NOT have more than 20 items; /meshes/0 must be string; /meshes/1 must be string; /meshes/2 must be string; /meshes/3 must be string; and ${items + 1 - ERROR_LIMITS.inDetail} more`)
  t.equal(problem.detail.split('/meshes/0 ').length, 2, 'the detail names an error once')
})

t.test('other floods of errors stay within the bound', async (t) => {
  const app = await testApp(t)
  let unknown = '{"pods":1'
  for (let i = 0; unknown.length < BODY_LIMIT - 100; i++) unknown += `,"k${i}":0`
  const floods: Array<{ name: string, url: string, body: string }> = [
    { name: 'unknown fields', url: '/estimate', body: unknown + '}' },
    { name: 'one 60 KB field name', url: '/estimate', body: JSON.stringify({ pods: 1, ['k'.repeat(60_000)]: 1 }) },
    { name: 'a 60 KB field name of quotes and control characters', url: '/estimate', body: JSON.stringify({ pods: 1, ['"\u0001'.repeat(8_000)]: 1 }) },
    { name: 'the whole body a batch of wrong items', url: '/estimate/batch', body: filled('{"scenarios":[', '1', ']}').body },
    { name: 'a sweep of wrong items', url: '/estimate/sweep', body: filled('{"vary":"pods","from":1,"to":10,"scenario":{"pods":1,"meshes":[', '1', ']}}').body }
  ]
  for (const f of floods) {
    const res = await app.inject({ method: 'POST', url: f.url, payload: f.body, headers: { 'content-type': 'application/json' } })
    t.equal(res.statusCode, 400, `${f.name}: 400`)
    t.ok(res.rawPayload.length <= MAX_PROBLEM_BYTES, `${f.name}: ${res.rawPayload.length} bytes`)
    t.ok((res.json<{ errors?: unknown[] }>().errors?.length ?? 0) <= MAX_LISTED_ERRORS, `${f.name}: at most 20 errors`)
  }
})

t.test('a batch scenario full of wrong items: its problem is bounded and lists 20', async (t) => {
  const app = await testApp(t)
  const { body } = filled('{"scenarios":[{"pods":1,"meshes":[', '1', ']}]}')
  const res = await app.inject({ method: 'POST', url: '/estimate/batch', payload: body, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 200)
  const { results } = res.json<{ results: Array<{ status: number, problem: { detail: string, errors: FieldError[] } }> }>()
  t.equal(results[0]?.status, 400)
  t.ok(bytesOf(results[0]?.problem) <= MAX_PROBLEM_BYTES, `${bytesOf(results[0]?.problem)} bytes`)
  t.ok(res.rawPayload.length <= MAX_PROBLEM_BYTES + 100, `the whole answer ${res.rawPayload.length} bytes`)
  t.equal(results[0]?.problem.errors.length, MAX_LISTED_ERRORS)
  t.equal(results[0]?.problem.errors[1]?.pointer, '/scenarios/0/meshes/0', 'pointers into the batch')
})

t.test('the worst a problem can be: every text at its limit, in six-byte escapes', async (t) => {
  const evil = '\u0001"\ud800'.repeat(10_000) // control characters, quotes, lone surrogates
  const errors = Array.from({ length: 1000 }, (_, i) => ({ pointer: `/${i}${evil}`, detail: evil }))
  const request = { url: `/${evil}?q`, id: evil } as unknown as FastifyRequest
  const direct = problemDocument(request, 422, evil, { type: evil, errors })
  t.ok(bytesOf(direct) <= MAX_PROBLEM_BYTES, `problemDocument: ${bytesOf(direct)} bytes`)
  t.ok(bytesOf(boundedProblem(599, evil, { type: evil, errors, instance: evil, requestId: evil })) <= MAX_PROBLEM_BYTES, 'boundedProblem')

  // And as the app serializes it, from a domain error with every text too long.
  const app = await buildApp(createConfig({}, { logLevel: 'silent', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())
  app.get('/worst', async () => { throw new DomainError(errors, 422, evil, evil) })
  app.get('/worst-invalid', async () => { throw DomainError.invalid(evil, errors) })
  for (const url of ['/worst', '/worst-invalid']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 422 - (url === '/worst' ? 0 : 22))
    t.ok(res.rawPayload.length <= MAX_PROBLEM_BYTES, `${url}: ${res.rawPayload.length} bytes`)
    t.ok(res.json<{ errors: unknown[] }>().errors.length >= 1, `${url}: lists what fits`)
  }
})

t.test('few errors keep their words', async (t) => {
  const errors = [{ pointer: '/steps', detail: 'must be <= 10000' }, { pointer: '/from', detail: 'must be >= 1' }]
  t.equal(DomainError.invalid('sweep', errors).message, 'The sweep is not valid: /steps must be <= 10000; /from must be >= 1')
  t.equal(new DomainError(errors).message, '/steps: must be <= 10000; /from: must be >= 1')
  t.same(new DomainError(errors).errors, errors, 'the error keeps every field error; only documents are cut')
  const five = Array.from({ length: 5 }, (_, i) => ({ pointer: `/${i}`, detail: 'x' }))
  t.equal(describeErrors(five), '/0 x; /1 x; /2 x; /3 x; /4 x', 'five: all named')
  t.equal(describeErrors([...five, { pointer: '/5', detail: 'x' }]), '/0 x; /1 x; /2 x; /3 x; /4 x; and 1 more', 'six: and 1 more')
  t.equal(describeErrors([]), '')
})

t.test('listErrors: each error once, at most 20 and what fits, the rest counted', async (t) => {
  const a = { pointer: '/a', detail: 'x' }
  const b = { pointer: '/b', detail: 'x' }
  t.same(listErrors([a, a, b, a]), { listed: [a, b], more: 0 }, 'duplicates listed once, not counted as more')
  const many = Array.from({ length: 50 }, (_, i) => ({ pointer: `/${i}`, detail: 'x' }))
  t.same(listErrors([...many, ...many]), { listed: many.slice(0, 20), more: 30 })
  const long = Array.from({ length: 20 }, (_, i) => ({ pointer: `/${i}`, detail: 'y'.repeat(2000) }))
  const { listed, more } = listErrors(long)
  t.equal(listed.length + more, 20)
  t.ok(listed.length < 20 && listed.length > 0, `${listed.length} long errors fit`)
  t.ok(listed.every((e) => jsonBytes(e.detail) <= ERROR_LIMITS.detailBytes && e.detail.endsWith('…')), 'each detail clipped')
})

/** Any UTF-16 code unit, lone surrogates included. */
const utf16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))

t.test('clipText: within the bytes, a prefix and an ellipsis, never half a character', async (t) => {
  t.equal(clipText('short', 10), 'short')
  t.equal(clipText('x'.repeat(10), 10), 'x'.repeat(10))
  t.equal(clipText('x'.repeat(11), 10), 'x'.repeat(7) + '…')
  t.equal(clipText('😀'.repeat(5), 12), '😀😀…', 'a surrogate pair is kept whole')
  fc.assert(fc.property(fc.string({ unit: utf16, maxLength: 300 }), fc.integer({ min: 3, max: 400 }), (text, max) => {
    const clipped = clipText(text, max)
    const serialized = Buffer.byteLength(JSON.stringify(clipped)) - 2
    if (serialized > max) return false
    if (clipped === text) return true
    return clipped.endsWith('…') && text.startsWith(clipped.slice(0, -1))
  }))
  fc.assert(fc.property(fc.string({ unit: utf16, maxLength: 300 }), (text) => jsonBytes(text) >= Buffer.byteLength(JSON.stringify(text)) - 2))
})
