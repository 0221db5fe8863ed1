// ETag, If-None-Match and Cache-Control over a real socket: a dashboard re-polling one URL gets 304s.
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { matches } from '../../src/plugins/caching.js'
import { shippedModels } from '../helpers.js'

async function listening (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string> = {}): Promise<string> {
  const app = await buildApp(createConfig(env, { logLevel: 'silent' }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await request(url, { headers })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

t.test('GET /estimate: an ETag and a max-age; If-None-Match with it is a 304 with no body', async (t) => {
  const base = await listening(t)
  const url = `${base}/estimate?pods=100&meshes=istio,linkerd`
  const first = await get(url)
  t.equal(first.status, 200)
  const etag = first.headers.etag as string
  t.match(etag, /^"[A-Za-z0-9_-]{27}"$/, 'a strong tag')
  t.equal(first.headers['cache-control'], 'public, max-age=300')
  t.equal((await get(url)).headers.etag, etag, 'the same answer, the same tag')

  const revalidated = await get(url, { 'if-none-match': etag })
  t.equal(revalidated.status, 304)
  t.equal(revalidated.text, '', 'no body')
  t.equal(revalidated.headers.etag, etag)
  t.equal(revalidated.headers['cache-control'], 'public, max-age=300')
  t.equal((await get(url, { 'if-none-match': `"stale", W/${etag}` })).status, 304, 'a weak form of the tag, in a list, matches too')
  t.equal((await get(url, { 'if-none-match': '"stale"' })).status, 200, 'another tag gets the answer')

  const other = await get(`${base}/estimate?pods=101&meshes=istio,linkerd`)
  t.not(other.headers.etag, etag, 'another scenario, another tag')
  t.equal((await get(`${base}/estimate?pods=101&meshes=istio,linkerd`, { 'if-none-match': etag })).status, 200, 'an old tag does not hide a different answer')
  const csv = await get(`${url}&format=csv`)
  t.not(csv.headers.etag, etag, 'CSV has its own tag')
  t.equal((await get(`${url}&format=csv`, { 'if-none-match': csv.headers.etag as string })).status, 304)
})

t.test('model-derived GET routes cache; probes and metrics are no-cache; POST and errors no ETag', async (t) => {
  const base = await listening(t, { CACHE_MAX_AGE_S: '60' })
  for (const path of ['/meshes', '/meshes/istio', '/node-types', '/pricing', '/features', '/openapi.json']) {
    const res = await get(base + path)
    t.equal(res.status, 200, path)
    t.equal(res.headers['cache-control'], 'public, max-age=60', `${path}: CACHE_MAX_AGE_S`)
    t.equal((await get(base + path, { 'if-none-match': res.headers.etag as string })).status, 304, `${path}: 304`)
  }
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    t.equal((await get(base + path)).headers['cache-control'], 'no-cache', `${path}: revalidated every time, no max-age`)
  }
  const post = await request(`${base}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":10}' })
  await post.body.dump()
  t.equal(post.statusCode, 200)
  t.notOk(post.headers.etag, 'POST: no ETag')
  const bad = await get(`${base}/estimate?pods=0`)
  t.equal(bad.status, 400)
  t.notOk(bad.headers.etag, 'a problem: no ETag')
})

t.test('If-None-Match matching', async (t) => {
  t.ok(matches('"a"', '"a"'))
  t.ok(matches('W/"a"', '"a"'))
  t.ok(matches('"b" , "a"', '"a"'))
  t.ok(matches('*', '"a"'))
  t.notOk(matches('"b"', '"a"'))
  t.notOk(matches('', '"a"'))
})
