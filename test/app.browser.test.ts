// Swagger UI in a real browser: /docs in headless Chromium (Debian's package, driven by playwright-core),
// POST /estimate expanded, "Try it out" with the example body, Execute, a 200 with estimates. The browser
// reaches nothing but this service: every other request is aborted and recorded.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import t from 'tap'
import { testApp } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'

// In CI a missing browser is a failure; on a developer's machine the test says why it did not run.
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run installs it)` : false

t.test('Swagger UI: Try it out on POST /estimate answers 200 with estimates', { timeout: 180_000, skip }, async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const origin = new URL(address).origin

  const profile = mkdtempSync(join(tmpdir(), 'meshcost-chromium-'))
  t.teardown(() => rmSync(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'
    ]
  })
  t.teardown(() => context.close())

  const blocked: string[] = []
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url())
    if (url.origin === origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue()
    blocked.push(url.href)
    return route.abort('blockedbyclient')
  })
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`) })

  const docs = await page.goto(`${origin}/docs`, { waitUntil: 'load' })
  t.equal(docs?.status(), 200, '/docs answers')
  const operation = page.locator('#operations-estimate-post_estimate')
  await operation.waitFor({ state: 'visible', timeout: 30_000 })
  await operation.locator('.opblock-summary').click()
  await operation.locator('button.try-out__btn').click()
  const body = operation.locator('textarea.body-param__text')
  await body.waitFor({ state: 'visible' })
  const example = JSON.parse(await body.inputValue()) as unknown
  t.same(example, { pods: 100 }, 'the example body is filled in, no typing needed')

  const answered = page.waitForResponse((r) => r.url() === `${origin}/estimate` && r.request().method() === 'POST')
  await operation.locator('button.execute').click()
  const response = await answered
  t.equal(response.status(), 200, 'the request Swagger UI sent got a 200')
  const json = await response.json() as { estimates: Array<{ mesh: string }> }
  t.ok(json.estimates.length > 0, 'with estimates')

  const status = operation.locator('.live-responses-table .response .response-col_status').first()
  await status.waitFor({ state: 'visible' })
  t.equal((await status.innerText()).trim(), '200', 'Swagger UI shows the 200')
  t.match(await operation.locator('.live-responses-table').first().innerText(), /"estimates"/, 'and the estimates in the response body')

  t.same(problems.filter((p) => !/ERR_BLOCKED_BY_CLIENT/.test(p)), [], 'no page errors (a CSP that blocked Swagger UI would show here)')
  t.same(blocked, [], 'the page asked for nothing beyond this service')
})
