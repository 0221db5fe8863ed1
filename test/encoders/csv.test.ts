// CSV: RFC 4180 text a spreadsheet opens, FOCUS names where they mean the same, sums that match the JSON.
import t from 'tap'
import { request } from 'undici'
import { chargePeriod, COMPONENT_COLUMNS, decimal, ESTIMATE_COLUMNS, preferredFormat, toCsv } from '../../src/encoders/csv.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { parseCsv, testApp } from '../helpers.js'

const records = (text: string): Array<Record<string, string>> => {
  const [header = [], ...rows] = parseCsv(text)
  return rows.map((r) => { if (r.length !== header.length) throw new Error(`ragged row: ${r.length} fields`); return Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])) })
}

t.test('quoting and formula injection', async (t) => {
  const text = toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [
    ['plain', 'with, comma', 'say "hi"', 'line\r\nbreak', '=HYPERLINK("http://x")', 12.5],
    ['+1', '-2', '@SUM(A1)', '\tTAB', null, 0]
  ])
  const rows = parseCsv(text)
  t.same(rows[1], ['plain', 'with, comma', 'say "hi"', 'line\r\nbreak', '\'=HYPERLINK("http://x")', '12.5'])
  t.same(rows[2], ['\'+1', '\'-2', '\'@SUM(A1)', '\'\tTAB', '', '0'])
  t.match(text, /"say ""hi"""/, 'quotes doubled inside a quoted field')
  // RFC 4180 quotes any field holding CR or LF: a bare CR (or LF) unquoted ends the record in many readers.
  const breaks = toCsv(['a', 'b'], [['bare\rCR', 'bare\nLF']])
  t.equal(breaks, 'a,b\r\n"bare\rCR","bare\nLF"\r\n')
  t.ok(text.endsWith('\r\n'))
  t.equal(decimal(1e-7, 8), '0.0000001', 'no exponent notation')
  t.equal(decimal(2.5e-7, 6), '0', 'rounded, not 2.5e-7')
  t.equal(decimal(Number.NaN), '', 'never NaN')
  t.equal(decimal(-0), '0')
})

t.test('content negotiation', async (t) => {
  t.equal(preferredFormat(undefined, undefined), 'json')
  t.equal(preferredFormat(undefined, 'text/csv'), 'csv')
  t.equal(preferredFormat(undefined, 'text/csv, */*;q=0.8'), 'csv')
  t.equal(preferredFormat(undefined, 'text/csv, */*'), 'csv', 'the type named beats a wildcard at the same q')
  t.equal(preferredFormat(undefined, 'application/json, text/csv'), 'json', 'a tie between named types goes to JSON')
  t.equal(preferredFormat(undefined, 'application/json;q=0.5, text/csv'), 'csv')
  t.equal(preferredFormat(undefined, 'text/csv;q=0'), 'json')
  t.equal(preferredFormat(undefined, 'text/html'), 'json')
  t.equal(preferredFormat('json', 'text/csv'), 'json', '?format wins')
  t.equal(preferredFormat('csv', 'application/json'), 'csv')
})

t.test('the charge period is the 730 hours from the start of the next UTC month', async (t) => {
  t.same(chargePeriod(new Date('2026-01-31T23:59:59Z')), { start: '2026-02-01T00:00:00Z', end: '2026-03-03T10:00:00Z' })
  t.same(chargePeriod(new Date('2026-12-15T00:00:00Z')), { start: '2027-01-01T00:00:00Z', end: '2027-01-31T10:00:00Z' })
})

t.test('estimate CSV, by default: one row per mesh and component; sums match the JSON', async (t) => {
  const app = await testApp(t)
  const scenario = { pods: 300, meshes: ['istio', 'linkerd', 'cilium'], cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }
  const json = (await app.inject({ method: 'POST', url: '/estimate', payload: scenario })).json<EstimateResponse>()
  const res = await app.inject({ method: 'GET', url: '/estimate?pods=300&meshes=istio,linkerd,cilium&nodeType=aws/m5.large&region=us-east-1&format=csv' })
  t.equal(res.statusCode, 200)
  t.same(parseCsv(res.body)[0], [...COMPONENT_COLUMNS], 'the documented header')
  const rows = records(res.body)
  t.same(rows.map((r) => `${r.x_MeshId}/${r.x_ComponentId}`), json.estimates.flatMap((e) => e.components.map((c) => `${e.mesh}/${c.id}`)), 'one row per mesh and component, in order')
  for (const e of json.estimates) {
    const mine = rows.filter((r) => r.x_MeshId === e.mesh)
    const sum = mine.reduce((s, r) => s + Number(r.x_EstimatedCost), 0)
    t.ok(Math.abs(sum - e.cost.monthly.expected) < 0.01, `${e.mesh}: x_EstimatedCost sums to cost.monthly.expected (${sum.toFixed(4)} vs ${e.cost.monthly.expected})`)
    for (const c of e.components) {
      const r = mine.find((x) => x.x_ComponentId === c.id)
      t.equal(Number(r?.x_CpuCores), c.basis.cpuCores.expected, `${e.mesh}/${c.id}: cores`)
      t.equal(Number(r?.x_MemoryGiB), c.basis.memoryGiB.expected, `${e.mesh}/${c.id}: GiB`)
      // x_EstimatedCost = core-hours x price + GiB-hours x price
      const list = Number(r?.x_CpuCoreHours) * Number(r?.x_CpuCoreHourPrice) + Number(r?.x_MemoryGiBHours) * Number(r?.x_MemoryGiBHourPrice)
      t.ok(Math.abs(list - Number(r?.x_EstimatedCost)) < 1e-4, `${e.mesh}/${c.id}: x_EstimatedCost = hours x prices`)
    }
  }
  t.notMatch(res.body, /NaN|Infinity|e-\d/)
})

t.test('estimate CSV with rows=resource: one row per mesh, component and resource; sums match the JSON', async (t) => {
  const app = await testApp(t)
  const scenario = { pods: 300, meshes: ['istio', 'linkerd', 'cilium'], cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }
  const json = (await app.inject({ method: 'POST', url: '/estimate', payload: scenario })).json<EstimateResponse>()
  const byQuery = await app.inject({ method: 'POST', url: '/estimate?format=csv&rows=resource', payload: scenario })
  const byAccept = await app.inject({ method: 'POST', url: '/estimate?rows=resource', payload: scenario, headers: { accept: 'text/csv' } })
  t.equal(byQuery.statusCode, 200)
  t.equal(byQuery.headers['content-type'], 'text/csv; charset=utf-8; header=present')
  t.match(byQuery.headers.vary, /accept/i)
  t.equal(byAccept.headers['content-type'], byQuery.headers['content-type'])
  const rows = records(byQuery.body)
  t.same(parseCsv(byQuery.body)[0], [...ESTIMATE_COLUMNS], 'the documented header')
  t.same(records(byAccept.body).map((r) => r.x_ComponentId), rows.map((r) => r.x_ComponentId), 'Accept and ?format agree')
  for (const name of parseCsv(byQuery.body)[0] ?? []) t.ok(/^[A-Z][A-Za-z]+$/.test(name) || name.startsWith('x_'), `${name}: FOCUS name or x_`)

  const expectedRows = json.estimates.flatMap((e) => e.components.flatMap((c) => [`${e.mesh}/${c.id}/cpu`, `${e.mesh}/${c.id}/memory`]))
  t.same(rows.map((r) => `${r.x_MeshId}/${r.x_ComponentId}/${r.x_Resource}`), expectedRows, 'one row per mesh, component and resource, in order')
  for (const e of json.estimates) {
    const mine = rows.filter((r) => r.x_MeshId === e.mesh)
    const sum = mine.reduce((s, r) => s + Number(r.x_EstimatedCost), 0)
    t.ok(Math.abs(sum - e.cost.monthly.expected) < 0.01, `${e.mesh}: rows sum to cost.monthly.expected (${sum.toFixed(4)} vs ${e.cost.monthly.expected})`)
    const cores = mine.filter((r) => r.x_Resource === 'cpu').reduce((s, r) => s + Number(r.x_Quantity), 0)
    t.ok(Math.abs(cores - e.totals.cpuCores.expected) < 1e-4, `${e.mesh}: cores sum to totals.cpuCores.expected`)
  }
  for (const r of rows) {
    t.ok(Math.abs(Number(r.x_PricingQuantity) * Number(r.x_UnitPrice) - Number(r.x_EstimatedCost)) <= 1e-5 + 1e-7 * Number(r.x_EstimatedCost), `x_EstimatedCost = x_PricingQuantity x ListUnitPrice (${r.PricingQuantity} x ${r.ListUnitPrice} vs ${r.x_EstimatedCost})`)
    t.equal(r.x_Currency, 'USD')
    t.equal(r.x_ChargeCategory, 'Forecast', 'a forecast, not a FOCUS Usage charge')
    t.equal(r.x_ProviderName, 'AWS')
    t.equal(r.RegionId, 'us-east-1')
    t.match(r.x_PricingUnit, /^(vCPU|GiB)-Hours$/)
    t.equal(new Date(r.ChargePeriodEnd ?? '').getTime() - new Date(r.ChargePeriodStart ?? '').getTime(), 730 * 3600e3)
  }
  t.notMatch(byQuery.body, /NaN|Infinity|e-\d/)
})

t.test('a hostile model name is written as text, not as a formula', async (t) => {
  const app = await testApp(t)
  const json = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 10, meshes: ['linkerd'] } })).json<EstimateResponse>()
  const { estimateCsv } = await import('../../src/encoders/csv.js')
  const first = json.estimates[0]
  if (first === undefined) throw new Error('no estimate')
  first.name = '=cmd|\' /C calc\'!A0'
  const rows = records(estimateCsv(json, { pods: 10 }))
  t.equal(rows[0]?.x_MeshName, '\'=cmd|\' /C calc\'!A0')
})

t.test('over a real socket', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${address}/estimate?pods=100&meshes=istio`, { headers: { accept: 'text/csv' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-disposition'], /filename="meshcost-estimate\.csv"/)
  const rows = records(await res.body.text())
  t.equal(rows.length, app.models.meshes.get('istio')?.components.filter((c) => c.enabledBy === undefined).length, 'one row per component of the default install')
  t.ok(rows.every((r) => r.x_MeshId === 'istio'))
})

t.test('a FOCUS 1.2 column name only where its definition holds for an estimate, x_ otherwise; every column documented', async (t) => {
  // Kept: the period a monthly figure covers, a description, the service category and subcategory, the region.
  // Not kept: ChargeCategory (Usage is a charge, this is a forecast), ListCost and ListUnitPrice (prices are
  // derived or given, not published list prices), ResourceType (FOCUS requires a ResourceId with it),
  // ProviderName (empty for a custom node), PricingQuantity and PricingUnit (no SKU), BillingCurrency (nothing is billed).
  const FOCUS_THAT_HOLD = new Set(['ChargePeriodStart', 'ChargePeriodEnd', 'ChargeDescription', 'ServiceCategory', 'ServiceSubcategory', 'RegionId'])
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { PACKAGE_ROOT } = await import('../../src/config.js')
  const { SWEEP_COLUMNS } = await import('../../src/encoders/csv.js')
  const docs = readFileSync(join(PACKAGE_ROOT, 'docs', 'integrations.md'), 'utf8')
  for (const column of new Set([...COMPONENT_COLUMNS, ...ESTIMATE_COLUMNS, ...SWEEP_COLUMNS])) {
    t.ok(FOCUS_THAT_HOLD.has(column) || /^x_[A-Z][A-Za-z]*$/.test(column), `${column}: a FOCUS name that holds, or x_`)
    t.match(docs, new RegExp(`\\| \`${column}\` \\|`), `${column} has its row in docs/integrations.md`)
  }
})
