// GET /validation over a real socket: the leave-one-source-out report on the shipped models and evidence.
import t from 'tap'
import { request } from 'undici'
import { TARGETS } from '../../src/engine/validation.js'
import { testApp } from '../helpers.js'

t.test('GET /validation answers the table and the summary', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${address}/validation`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/json/)
  const body = await res.body.json() as {
    summary: { figures: number, within2x: number, insideRange: number, shareWithin2x: number, sources: number, faults: { figures: number, insideRange: number } }
    targets: typeof TARGETS
    components: Array<{ mesh: string, component: string, figures: number, priorOnly: number }>
    rows: Array<{ source: string, measured: number, factor: number, predicted: { low: number, expected: number, high: number }, predictedBy: string, fault?: string, insideRange: boolean }>
  }
  t.same(body.targets, TARGETS)
  t.ok(body.summary.sources >= 6, `${body.summary.sources} sources, each left out in turn`)
  t.ok(body.summary.figures > 0)
  t.equal(body.summary.shareWithin2x, body.summary.within2x / body.summary.figures, 'the share is the count over the figures')
  t.equal(body.rows.filter((r) => r.predictedBy === 'fit').length, body.summary.figures, 'the summary counts the fitted rows')
  const faults = body.rows.filter((r) => r.predictedBy === 'fault')
  t.ok(faults.length > 0 && faults.every((r) => typeof r.fault === 'string' && r.fault.length > 0), `${faults.length} figures of defects, each saying which`)
  t.equal(body.summary.faults.figures, faults.length, 'tallied apart from the fitted rows')
  t.equal(body.summary.faults.insideRange, faults.filter((r) => r.insideRange).length)
  for (const r of body.rows.filter((x) => x.predictedBy === 'fit')) {
    t.ok(r.predicted.low <= r.predicted.expected && r.predicted.expected <= r.predicted.high, `${r.source}: ordered range`)
  }
  t.ok(body.components.some((c) => c.mesh === 'linkerd' && c.component === 'linkerd-proxy'), 'per mesh and component')
})

t.test('GET /validation is in the OpenAPI document', async (t) => {
  const app = await testApp(t)
  const spec = app.swagger() as { paths: Record<string, unknown> }
  t.ok(spec.paths['/validation'])
})
