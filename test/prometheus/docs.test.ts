// docs/integrations.md's abridged answer of GET /cluster?window=1h for the fixture EKS cluster
// (test/prometheus/clusters.ts, istioCluster) is what the service answers: a real Prometheus, started with an hour
// of the cluster's past (promtool), so that the doc's one-hour window has samples from its first second.
// The doc's JSON is a trimmed copy: every field it shows must be in the answer with that value; a key "..." with
// the value "..." stands for what was left out.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig, PACKAGE_ROOT } from '../../src/config.js'
import { shippedModels } from '../helpers.js'
import { istioCluster } from './clusters.js'
import { requirePrometheus, requirePromtool, startPrometheus } from './harness.js'

const DOC = 'docs/integrations.md'
const MARK = 'Abridged answer for the test suite\'s fictional EKS cluster'

/** The first ```json block after the sentence that introduces it, as the doc shows it. */
function shownAnswer (text: string): { json: unknown, line: number, command: string } {
  const lines = text.split('\n')
  const at = lines.findIndex((l) => l.includes(MARK))
  if (at === -1) throw new Error(`${DOC}: no "${MARK}"`)
  const command = /`curl '([^']+)'`/.exec(lines[at - 1] ?? '')?.[1]
  if (command === undefined) throw new Error(`${DOC}:${at}: the line before the answer names no \`curl '…'\``)
  const open = lines.findIndex((l, i) => i > at && l.trim() === '```json')
  const close = lines.findIndex((l, i) => i > open && l.trim() === '```')
  return { json: JSON.parse(lines.slice(open + 1, close).join('\n')) as unknown, line: open + 1, command }
}

/** Step 3's two answers: the first ```json block after `scenario`'s and after `measured`'s bullet, and the body of its command. */
function shownEstimate (text: string): { scenario: unknown, measured: unknown, body: unknown } {
  const lines = text.split('\n')
  const step = lines.findIndex((l) => l.includes('**Ask for the estimate of the namespaces that would get the mesh:**'))
  const block = (from: number, fence: string): { json: string, end: number } => {
    const open = lines.findIndex((l, i) => i > from && l.trim() === fence)
    const close = lines.findIndex((l, i) => i > open && l.trim() === '```')
    return { json: lines.slice(open + 1, close).join('\n'), end: close }
  }
  const command = block(step, '```console')
  const body = /-d '([^']*)'/.exec(command.json.replace(/\\\n\s*/g, ' '))?.[1]
  const scenario = lines.findIndex((l, i) => i > command.end && l.includes('- `scenario`:'))
  const measured = lines.findIndex((l, i) => i > scenario && l.includes('- `measured`:'))
  if (step === -1 || body === undefined || scenario === -1 || measured === -1) throw new Error(`${DOC}: step 3 has no command with a body, or no scenario and measured answers`)
  return { scenario: JSON.parse(block(scenario, '```json').json), measured: JSON.parse(block(measured, '```json').json), body: JSON.parse(body) }
}

const placeholder = (v: unknown): boolean => v === '...' || (typeof v === 'string' && v.startsWith('…'))

/**
 * The doc's JSON without its placeholders: `"...": "..."` keys, values that start with "…", and a "..." as an
 * array's last item (more items follow). A "..." anywhere else in an array would shift the items after it, so it
 * is refused.
 */
function withoutPlaceholders (shown: unknown): unknown {
  if (Array.isArray(shown)) {
    const cut = shown.findIndex(placeholder)
    if (cut !== -1 && cut !== shown.length - 1) throw new Error(`a "..." item must be an array's last: ${JSON.stringify(shown).slice(0, 120)}`)
    return (cut === -1 ? shown : shown.slice(0, cut)).map(withoutPlaceholders)
  }
  if (shown !== null && typeof shown === 'object') {
    return Object.fromEntries(Object.entries(shown).filter(([k, v]) => !(k === '...' && v === '...') && !placeholder(v)).map(([k, v]) => [k, withoutPlaceholders(v)]))
  }
  return shown
}

/**
 * rate() over an hour of 10 s history and 1 s scrapes gives the fixture's rates to within a fraction of a percent
 * (it extrapolates less when the window's first sample is more than 1.1 average intervals after its start). The
 * answer's rates (a component's CPU, the traffic) within RATE of the doc's are taken as the doc's; every other
 * figure, and every other difference, stays for t.has to show.
 */
const RATE = 0.01
const RATES = [/^\/mesh\/components\/\d+\/cpuCores$/, /^\/traffic\/requestsPerSecond(PerProxy)?$/, /^\/measured\/components\/\d+\/measured\/cpuCoresPerReplica$/]
/**
 * The paths at which the answer's arrays are longer or shorter than the doc's: t.has checks the items the doc shows,
 * so an array the doc abridges without a closing "..." must have the answer's length.
 */
function lengthMismatches (actual: unknown, shown: unknown, at = ''): string[] {
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return []
    const open = shown.length > 0 && placeholder(shown.at(-1))
    const items = open ? shown.slice(0, -1) : shown
    const here = (open ? actual.length >= items.length : actual.length === items.length) ? [] : [`${at || '/'}: ${actual.length} items in the answer, ${items.length}${open ? ' and more' : ''} in the doc`]
    return [...here, ...items.flatMap((item, i) => lengthMismatches(actual[i], item, `${at}/${i}`))]
  }
  if (shown !== null && typeof shown === 'object' && actual !== null && typeof actual === 'object') {
    return Object.entries(shown).flatMap(([k, v]) => lengthMismatches((actual as Record<string, unknown>)[k], v, `${at}/${k}`))
  }
  return []
}

function nearShown (actual: unknown, shown: unknown, at = ''): unknown {
  if (typeof actual === 'number' && typeof shown === 'number') return RATES.some((re) => re.test(at)) && Math.abs(actual - shown) <= RATE * Math.abs(shown) ? shown : actual
  if (Array.isArray(actual) && Array.isArray(shown)) return actual.map((a, i) => nearShown(a, shown[i], `${at}/${i}`))
  if (actual !== null && typeof actual === 'object' && shown !== null && typeof shown === 'object' && !Array.isArray(shown)) {
    return Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, nearShown(v, (shown as Record<string, unknown>)[k], `${at}/${k}`)]))
  }
  return actual
}

const bin = requirePrometheus(t)
const promtool = bin === undefined ? undefined : requirePromtool(t, bin)
if (bin !== undefined && promtool !== undefined) {
  const prometheus = await startPrometheus(t, bin, istioCluster(), [], { seconds: 3600, promtool })
  const app = await buildApp(createConfig({}, { logLevel: 'silent', prometheusUrl: prometheus.url, clusterRefreshSeconds: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())

  t.test(`${DOC}: the abridged GET /cluster answer is a trimmed copy of the service's`, async (t) => {
    const { json, line, command } = shownAnswer(readFileSync(join(PACKAGE_ROOT, DOC), 'utf8'))
    const url = new URL(command)
    t.equal(url.searchParams.get('window'), '1h', 'the doc asks for the default window, as a user would')
    const res = await app.inject({ url: `${url.pathname}${url.search}` })
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'answered 200' : res.body.slice(0, 300))
    const shown = withoutPlaceholders(json)
    t.has(nearShown(res.json(), shown), shown, `${DOC}:${line}: every field shown is in the answer, with that value`)
    t.same(lengthMismatches(res.json(), json), [], `${DOC}:${line}: every list has the answer's length, or ends with "..."`)
  })

  t.test(`${DOC}: step 3's scenario and measured usage are the service's answer to the body it shows`, async (t) => {
    const { scenario, measured, body } = shownEstimate(readFileSync(join(PACKAGE_ROOT, DOC), 'utf8'))
    const res = await app.inject({ method: 'POST', url: '/cluster/estimate', payload: body as Record<string, unknown> })
    t.equal(res.statusCode, 200, res.statusCode === 200 ? 'answered 200' : res.body.slice(0, 300))
    const answer = res.json() as { scenario: unknown, measured: Array<{ mesh: string }> }
    t.has(answer.scenario, withoutPlaceholders(scenario), 'scenario: every field shown, with that value')
    t.same(lengthMismatches(answer.scenario, scenario), [], 'scenario: every list has the answer\'s length, or ends with "..."')
    const shown = withoutPlaceholders(measured) as { mesh: string }
    const mine = answer.measured.find((m) => m.mesh === shown.mesh)
    t.has(nearShown(mine, shown, '/measured'), shown, 'measured: every field shown, with that value')
    t.same(lengthMismatches(mine, measured), [], 'measured: every list has the answer\'s length, or ends with "..."')
  })

  t.test('the tolerance is for rates only, and 1%: a figure further off, or a gauge off at all, fails', async (t) => {
    const res = await app.inject({ url: '/cluster?window=1h' })
    const answer = res.json() as { traffic: { requestsPerSecond: number }, nodes: { byType: Array<{ hourlyPrice: number }> } }
    const shown = { traffic: { requestsPerSecond: answer.traffic.requestsPerSecond * 1.03 }, nodes: { byType: [{ hourlyPrice: answer.nodes.byType[0]!.hourlyPrice * 1.001 }] } }
    const near = nearShown(answer, shown) as typeof answer
    t.not(near.traffic.requestsPerSecond, shown.traffic.requestsPerSecond, 'a rate 3% off is not taken as the doc\'s')
    t.not(near.nodes.byType[0]?.hourlyPrice, shown.nodes.byType[0]?.hourlyPrice, 'a price 0.1% off is not taken as the doc\'s')
    const close = { traffic: { requestsPerSecond: answer.traffic.requestsPerSecond * 1.005 } }
    t.equal((nearShown(answer, close) as typeof answer).traffic.requestsPerSecond, close.traffic.requestsPerSecond, 'a rate 0.5% off is taken as the doc\'s')
    t.same(lengthMismatches({ a: [1, 2, 3] }, { a: [1, 2] }), ['/a: 3 items in the answer, 2 in the doc'], 'a list cut short without "..." is caught')
    t.same(lengthMismatches({ a: [1, 2, 3] }, { a: [1, '...'] }), [], 'a list cut short with "..." is not')
    t.throws(() => withoutPlaceholders(['...', 1]), /last/, 'a "..." before other items is refused')
  })
}
