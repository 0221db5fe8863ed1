// The sweep's answer written as bytes (sweep-text.ts) against the text the objects give: JSON.stringify of the
// SweepPoint objects (sweepPoint), and csv.ts's sweepCsvHeader with the reference sweepCsvRow below. Byte for byte, in every format,
// over sweeps of every field; and the number writer against String and decimal on values of every size.
import t from 'tap'
import { cell, decimal, sweepCsvHeader, type Cell } from '../../src/encoders/csv.js'
import { planSweep, sweepRows } from '../../src/engine/sweep.js'
import { sweepPoint } from '../sweep-point.js'
import type { PointTotals } from '../../src/engine/sweep-totals.js'
import { STREAM_LIMITS, SUMMARY_OMITS, type SweepPoint, type SweepRequest } from '../../src/schemas/integration.js'
import { ByteWriter, sweepCsv, sweepJson, sweepNdjson } from '../../src/encoders/sweep-text.js'
import { round } from '../../src/units.js'
import { shippedModels } from '../helpers.js'

const models = shippedModels()

function written (write: (w: ByteWriter) => void): string {
  const w = new ByteWriter(8) // small, so that growing is tested too
  write(w)
  return w.take().toString('latin1')
}

t.test('fixed: a rounded value as String and decimal write it', async (t) => {
  const cases: Array<[number, 2 | 6, string]> = [
    [0, 6, '0'], [-0, 6, '0'], [1, 6, '1'], [0.000001, 6, '0.000001'], [0.1, 6, '0.1'], [12.5, 2, '12.5'],
    [-3.25, 2, '-3.25'], [1234567.000001, 6, '1234567.000001'], [0.000123, 6, '0.000123'], [100, 2, '100'],
    [999999999.999999, 6, '999999999.999999'], // 15 significant digits: the fast path's edge
    [1e10, 6, '10000000000'], // k = 10^16: written by String
    [123456789012345.67, 2, '123456789012345.67'] // k past 10^15: String
  ]
  for (const [v, places, want] of cases) t.equal(written((w) => w.fixed(v, places, (n) => JSON.stringify(n))), want, `${v} to ${places} places`)
  // random values of every magnitude, rounded as the engine rounds them
  let state = 12345
  const random = (): number => { state = (state * 1103515245 + 12345) % 2 ** 31; return state / 2 ** 31 }
  let checked = 0
  for (let i = 0; i < 20_000; i++) {
    const places = i % 2 === 0 ? 6 : 2
    const v = round((random() - 0.1) * 10 ** Math.floor(random() * 14 - 4), places)
    const json = written((w) => w.fixed(v, places, (n) => JSON.stringify(n)))
    const csv = written((w) => w.fixed(v, places, (n) => decimal(n, places)))
    if (json !== JSON.stringify(v)) t.fail(`${v}: ${json} != ${JSON.stringify(v)}`)
    if (csv !== decimal(v, places)) t.fail(`${v}: ${csv} != ${decimal(v, places)}`)
    checked++
  }
  t.equal(checked, 20_000)
  t.equal(written((w) => { w.integer(0); w.integer(-42); w.integer(1_000_000) }), '0-421000000')
})

/** The reference CSV row of one mesh and point, cell by cell through csv.ts's cell encoder: long format, which spreadsheets pivot and Grafana groups by x_MeshId. */
function sweepCsvRow (mesh: string, vary: string, p: SweepPoint, currency: string, summary = false): string {
  const cost = (x: number): string => decimal(x, 2)
  const row: Cell[] = summary
    ? [mesh, vary, p.x, p.cpuCores, p.memoryGiB, cost(p.monthlyCost)]
    : [mesh, vary, p.x, p.cpuCores, p.cpuCoresLow, p.cpuCoresHigh, p.memoryGiB, p.memoryGiBLow, p.memoryGiBHigh, cost(p.monthlyCost), cost(p.monthlyCostLow), cost(p.monthlyCostHigh)]
  row.push(p.additionalNodes, p.additionalNodesMonthlyCost === null ? '' : cost(p.additionalNodesMonthlyCost), currency)
  return row.map(cell).join(',') + '\r\n'
}

/** What the route wrote before sweep-text.ts: the objects, through JSON.stringify and sweepCsvRow. */
function fromObjects (request: SweepRequest, summary: boolean) {
  const plan = planSweep(request, models, STREAM_LIMITS)
  const lean = (p: SweepPoint): Partial<SweepPoint> => {
    const out: Partial<SweepPoint> = { ...p }
    for (const key of SUMMARY_OMITS) delete out[key]
    return out
  }
  const series = plan.meshes.map((m) => ({ ...m, points: [] as Array<Partial<SweepPoint>> }))
  let ndjson = ''
  let csv = sweepCsvHeader(summary)
  for (const row of sweepRows(request, plan, models)) {
    for (let i = 0; i < row.count; i++) {
      const point = sweepPoint(row.x, row.meshes[i] as PointTotals)
      const id = plan.meshes[i]?.mesh ?? ''
      series[i]?.points.push(summary ? lean(point) : point)
      ndjson += JSON.stringify({ mesh: id, vary: plan.vary, ...(summary ? lean(point) : point), currency: plan.currency }) + '\n'
      csv += sweepCsvRow(id, plan.vary, point, plan.currency, summary)
    }
  }
  const result = { vary: plan.vary, scale: plan.scale, basis: plan.basis, currency: plan.currency, series }
  return { json: JSON.stringify(summary ? { ...result, view: 'summary' } : result), ndjson, csv }
}

function fromBytes (request: SweepRequest, summary: boolean) {
  const plan = planSweep(request, models, STREAM_LIMITS)
  const json = sweepJson(plan, summary)
  const nd = new ByteWriter()
  const ndjson = sweepNdjson(plan, summary, nd)
  const cw = new ByteWriter()
  const csv = sweepCsv(plan, summary, cw)
  csv.header()
  for (const row of sweepRows(request, plan, models)) {
    json.add(row.x, row.meshes, row.count)
    ndjson(row.x, row.meshes, row.count)
    csv.rows(row.x, row.meshes, row.count)
  }
  return { json: json.body().toString('utf8'), ndjson: nd.take().toString('utf8'), csv: cw.take().toString('utf8') }
}

t.test('every format, full and summary: the same bytes as the objects give', async (t) => {
  const requests: SweepRequest[] = [
    { scenario: { pods: 100 }, vary: 'pods', from: 10, to: 100_000, steps: 40, scale: 'log' },
    { scenario: { pods: 300, options: { highAvailability: true, observability: true, sidecarScoping: true }, basis: 'usage' }, vary: 'requestsPerSecondPerPod', from: 0.3, to: 900, steps: 25, scale: 'log' },
    { scenario: { pods: 80, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 30 } }, traffic: { distribution: 'skewed' } }, vary: 'services', from: 1, to: 80, steps: 20 },
    { scenario: { pods: 500, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' }, pricing: { model: 'onDemand' } }, vary: 'nodes', from: 1, to: 400, steps: 20 },
    { scenario: { pods: 100, meshes: ['istio'], pricing: { book: 'aws-fargate-us-east-1' } }, vary: 'requestsPerSecondPerPod', from: 0, to: 1, steps: 7 }
  ]
  for (const request of requests) {
    for (const summary of [false, true]) {
      const want = fromObjects(request, summary)
      const got = fromBytes(request, summary)
      const label = `${request.vary} ${JSON.stringify(request.scenario)}${summary ? ', summary' : ''}`
      t.equal(got.json, want.json, `${label}: JSON`)
      t.equal(got.ndjson, want.ndjson, `${label}: NDJSON`)
      t.equal(got.csv, want.csv, `${label}: CSV`)
    }
  }
  t.equal(JSON.parse(fromBytes(requests[0] as SweepRequest, false).json).series.length, 6, 'parses, six series')
})
