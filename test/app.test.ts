// buildApp: request ids, body limits and content types, which the app sets for every route.
import t from 'tap'
import { createConfig } from '../src/config.js'
import { isProblem, testApp } from './helpers.js'

const post = (body: unknown) => ({ method: 'POST' as const, url: '/estimate', payload: body as object })

t.test('request ids: generated, or honoured and echoed when the client sends a plain one', async (t) => {
  const app = await testApp(t)
  const mine = await app.inject({ ...post({ pods: 1 }), headers: { 'x-request-id': 'trace-123' } })
  t.equal(mine.headers['x-request-id'], 'trace-123')
  const generated = await app.inject(post({ pods: 1 }))
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const hostile = await app.inject({ ...post({ pods: 1 }), headers: { 'x-request-id': 'a'.repeat(500) } })
  t.not(hostile.headers['x-request-id'], 'a'.repeat(500), 'an oversized id is replaced, not logged')
})

t.test('bodies over BODY_LIMIT_BYTES get a 413 problem; the limit is configurable', async (t) => {
  const small = await testApp(t, undefined, { bodyLimitBytes: 2048 })
  const pad = 'x'.repeat(3000)
  isProblem(t, await small.inject({ method: 'POST', url: '/estimate', payload: `{"pods":1,"pad":"${pad}"}`, headers: { 'content-type': 'application/json' } }), 413, /body-too-large/)
  t.equal((await small.inject({ method: 'POST', url: '/estimate', payload: { pods: 1 } })).statusCode, 200, 'a normal body still passes')
  const byDefault = await testApp(t)
  isProblem(t, await byDefault.inject({ method: 'POST', url: '/estimate', payload: `{"pods":1,"pad":"${'x'.repeat(65 * 1024)}"}`, headers: { 'content-type': 'application/json' } }), 413)
  t.equal(createConfig({ BODY_LIMIT_BYTES: '4096' }).bodyLimitBytes, 4096)
})

t.test('anything but JSON gets a 415 problem', async (t) => {
  const a = await testApp(t)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/csv']) {
    const res = await a.inject({ method: 'POST', url: '/estimate', payload: '{"pods":1}', headers: { 'content-type': type } })
    t.equal(res.statusCode, 415, type)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${type}: problem+json`)
  }
})
