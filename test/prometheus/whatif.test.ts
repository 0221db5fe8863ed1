// What-if cost as metrics (CLUSTER_REFRESH_S): the service re-estimates the fixture cluster from a real
// Prometheus, that Prometheus scrapes the service's metrics port, and the series are read back through its
// query API. A Prometheus that starts failing leaves the last values in place, marked by the success gauge.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig, PACKAGE_ROOT } from '../../src/config.js'
import { parse } from 'yaml'
import { shippedModels } from '../helpers.js'
import { istioCluster } from './clusters.js'
import { freePort, requirePrometheus, startPrometheus, TEST_WINDOW } from './harness.js'

const MiB = 2 ** 20

/** Every sample of an instant query: its labels and value. */
async function query (url: string, promql: string): Promise<Array<{ metric: Record<string, string>, value: number }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
  const body = await res.json() as { data?: { result?: Array<{ metric: Record<string, string>, value: [number, string] }> } }
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }))
}

async function until <T> (what: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = await what()
    if (found !== undefined) return found
    await sleep(250)
  }
  return undefined
}

t.test('the live cluster re-estimated every second, its what-if series read back from Prometheus', async (t) => {
  const bin = requirePrometheus(t)
  if (bin === undefined) return
  const metricsPort = await freePort()
  const prometheus = await startPrometheus(t, bin, istioCluster(), [`127.0.0.1:${metricsPort}`])

  // A door between the service and Prometheus that the test can shut: a failing upstream, on demand.
  let failing = false
  const door = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (failing) { response.writeHead(503).end('down for the test'); return }
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      fetch(`${prometheus.url}${request.url ?? '/'}`, { method: request.method, headers: { 'content-type': String(request.headers['content-type'] ?? '') }, body: request.method === 'POST' ? Buffer.concat(chunks) : undefined })
        .then(async (upstream) => { response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await upstream.arrayBuffer())) })
        .catch(() => { response.writeHead(502).end() })
    })
  })
  await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { door.closeAllConnections(); door.close() })
  const doorUrl = `http://127.0.0.1:${(door.address() as { port: number }).port}`

  let logs = ''
  const stream = new Writable({ write (chunk, _enc, done) { logs += String(chunk); done() } })
  const config = createConfig({}, { logLevel: 'info', prometheusUrl: doorUrl, clusterRefreshSeconds: 1, clusterRefreshWindow: TEST_WINDOW, metricsPort, host: '127.0.0.1' })
  const app = await buildApp(config, { logger: { level: 'info', stream }, models: shippedModels() })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })

  // Within a refresh and a scrape, Prometheus holds every mesh's monthly cost on every basis and bound.
  const monthly = await until(async () => {
    const series = await query(prometheus.url, 'meshcost_whatif_monthly_cost{job="meshcost"}')
    return series.length >= 6 * 3 * 3 ? series : undefined
  })
  t.ok(monthly !== undefined, 'meshcost_whatif_monthly_cost: six meshes x three bases x three bounds, in Prometheus')
  const istio = (monthly ?? []).find((s) => s.metric.mesh === 'istio' && s.metric.basis === 'max' && s.metric.bound === 'expected')
  t.equal(istio?.metric.currency, 'USD', 'in the currency of the estimate')

  // The same figure POST /cluster/estimate answers for the same cluster and basis.
  const estimate = await app.inject({ method: 'POST', url: '/cluster/estimate', payload: { basis: 'max', window: TEST_WINDOW } })
  const expected = (estimate.json() as { estimates: Array<{ mesh: string, cost: { monthly: { expected: number } } }> }).estimates.find((e) => e.mesh === 'istio')?.cost.monthly.expected
  t.ok(expected !== undefined && istio !== undefined && Math.abs(istio.value - expected) < 1e-6, `istio's expected monthly cost on the max basis: ${istio?.value} in Prometheus, ${expected} from POST /cluster/estimate`)

  // The running mesh, measured beside modelled per replica: the fixture's sidecars use 0.02 core and 64 MiB each.
  const measuredCpu = await query(prometheus.url, 'meshcost_component_measured_cpu_cores{mesh="istio",component="istio-proxy"}')
  const measuredMemory = await query(prometheus.url, 'meshcost_component_measured_memory_bytes{mesh="istio",component="istio-proxy"}')
  t.ok(Math.abs((measuredCpu[0]?.value ?? 0) - 0.02) < 0.002, `measured CPU per sidecar ${measuredCpu[0]?.value} cores: the fixture's 0.02`)
  t.equal(measuredMemory[0]?.value, 64 * MiB, 'measured memory per sidecar: the fixture\'s 64 MiB')
  const modelled = await query(prometheus.url, 'meshcost_component_modelled_cpu_cores{mesh="istio",component="istio-proxy"}')
  const bound = (b: string) => modelled.find((s) => s.metric.bound === b)?.value ?? Number.NaN
  t.ok(bound('low') <= bound('expected') && bound('expected') <= bound('high') && bound('low') > 0, `modelled CPU per sidecar: low ${bound('low')} <= expected ${bound('expected')} <= high ${bound('high')}`)
  t.same((await query(prometheus.url, 'meshcost_whatif_sidecars{mesh="istio"}')).map((s) => s.value), [10], 'ten sidecars (six classic, four native)')
  t.same((await query(prometheus.url, 'meshcost_cluster_refresh_success')).map((s) => s.value), [1], 'the refresh succeeds')
  t.same((await query(prometheus.url, 'meshcost_info')).map((s) => s.metric.version !== undefined), [true], 'meshcost_info carries the version')

  // Every query of the shipped dashboard and every recording rule parses and returns data here.
  const dashboard = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'deploy', 'grafana', 'meshcost-dashboard.json'), 'utf8')) as { panels: Array<{ title: string, targets: Array<{ expr: string }> }> }
  const rules = parse(readFileSync(join(PACKAGE_ROOT, 'deploy', 'prometheus', 'meshcost-rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ record?: string, expr: string }> }> }
  const expressions = [
    ...dashboard.panels.flatMap((p) => p.targets.map((target) => ({ where: `panel "${p.title}"`, expr: target.expr.replaceAll('$basis', 'max') }))),
    ...rules.groups.flatMap((g) => g.rules.filter((r) => r.record !== undefined).map((r) => ({ where: `rule ${r.record ?? ''}`, expr: r.expr })))
  ]
  t.ok(expressions.length >= 15, `${expressions.length} expressions`)
  for (const { where, expr } of expressions) {
    const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`)
    const body = await res.json() as { status: string, data?: { result?: unknown[] } }
    t.ok(body.status === 'success' && (body.data?.result?.length ?? 0) > 0, `${where}: ${expr} returns data`)
  }

  // Prometheus fails: the series keep their last values, the success gauge says so, one log line says why.
  failing = true
  const stale = await until(async () => {
    const [success] = await query(prometheus.url, 'meshcost_cluster_refresh_success')
    return success?.value === 0 ? success : undefined
  })
  t.ok(stale !== undefined, 'meshcost_cluster_refresh_success falls to 0 once a refresh fails')
  await sleep(2500) // more failed refreshes
  const kept = await query(prometheus.url, 'meshcost_whatif_monthly_cost{mesh="istio",basis="max",bound="expected"}')
  t.equal(kept[0]?.value, istio?.value, 'the last good value is kept')
  const age = await query(prometheus.url, 'meshcost_cluster_refresh_age_seconds')
  t.ok((age[0]?.value ?? 0) >= 1, `the age of the last success grows: ${age[0]?.value} s`)
  t.equal(logs.split('\n').filter((l) => l.includes('cluster refresh failed')).length, 1, 'logged once, not on every refresh')
  const started = performance.now()
  const plain = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })
  t.equal(plain.statusCode, 200, 'POST /estimate answers meanwhile')
  t.ok(performance.now() - started < 2000, 'without waiting for Prometheus')

  failing = false
  t.ok(await until(async () => (await query(prometheus.url, 'meshcost_cluster_refresh_success'))[0]?.value === 1 ? true : undefined), 'back to 1 once Prometheus answers again')
  t.match(logs, /cluster refresh succeeded again/)
})
