// Each mesh's traffic from its own metrics, read from a real Prometheus (test/prometheus/clusters.ts): Cilium from
// Hubble's hubble_http_requests_total, Kuma and Consul from their Envoy's envoy_http_downstream_rq_total, each
// proxy counting what it handles, inbound plus outbound. A mesh that runs without its metric is in `missing`
// and adds no traffic. Expected figures are worked out by hand from the fixtures' rates.
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { PrometheusClient } from '../../src/prometheus/client.js'
import { readCluster } from '../../src/prometheus/cluster.js'
import { defaultScope } from '../../src/prometheus/queries.js'
import type { ClusterEstimateResponse } from '../../src/schemas/cluster.js'
import { near, shippedModels } from '../helpers.js'
import { ciliumCluster, consulCluster, kumaCluster, unscrapedCluster } from './clusters.js'
import type { FixtureCluster } from './fixture.js'
import { freshScrape, requirePrometheus, startPrometheus, TEST_WINDOW } from './harness.js'

// rate() over 10 s of 1 s scrapes: exact when scrapes are on time, up to ~15% low when a loaded machine delays one.
const RATE = 0.15

const bin = requirePrometheus(t)
if (bin !== undefined) {
  // One Prometheus per cluster, started together.
  const read = async (cluster: FixtureCluster) => {
    const prometheus = await startPrometheus(t, bin, cluster)
    const client = new PrometheusClient({ url: prometheus.url, timeoutMs: 10_000 })
    t.teardown(() => client.close())
    return {
      url: prometheus.url,
      view: async () => {
        await freshScrape(prometheus.url)
        return (await readCluster(client, shippedModels(), defaultScope, TEST_WINDOW)).view
      }
    }
  }
  const [cilium, kuma, consul, unscraped] = await Promise.all([ciliumCluster(), kumaCluster(), consulCluster(), unscrapedCluster()].map(read))
  if (cilium === undefined || kuma === undefined || consul === undefined || unscraped === undefined) throw new Error('four clusters')

  t.test('Cilium: Hubble\'s HTTP requests, client and server reporters; no per-pod proxy, so no per-proxy rate', async (t) => {
    const view = await cilium.view()
    t.same(view.mesh.detected, ['cilium'])
    // 4 pods x (25 seen by the server's ingress + 10 by the client's egress) = 140; the L7 flow metric would say 280.
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 140, RATE * 140), `4 x (25 + 10) = 140 rps, got ${view.traffic?.requestsPerSecond}`)
    t.equal(view.traffic?.metric, 'hubble_http_requests_total')
    t.equal(view.traffic?.requestsPerSecondPerProxy, null, 'Cilium\'s L7 proxy runs per node: no rate per pod\'s proxy')
    t.equal(view.queries['traffic.cilium'], `sum(rate(hubble_http_requests_total[${TEST_WINDOW}]))`)
    t.same(view.missing, [])
  })

  t.test('Kuma: kuma-dp\'s mesh listeners, inbound and outbound, not the admin listener Prometheus scrapes', async (t) => {
    const view = await kuma.view()
    t.same(view.mesh.detected, ['kuma'])
    t.equal(view.mesh.components.find((c) => c.component === 'kuma-dp')?.replicas, 6)
    // 6 sidecars x (12 in on localhost_8080 + 8 out) = 120; the admin listener's 5 rps each (150 in all) is not traffic.
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 120, RATE * 120), `6 x (12 + 8) = 120 rps, got ${view.traffic?.requestsPerSecond}`)
    t.ok(near(view.traffic?.requestsPerSecondPerProxy ?? 0, 20, RATE * 20), '120 rps over 6 kuma-dp')
    t.equal(view.traffic?.metric, 'envoy_http_downstream_rq_total{kuma_io_mesh_traffic="true"}')
    t.same(view.missing, [])
  })

  t.test('Consul: the Envoy of each consul-dataplane, public_listener in and upstream out, not the scrape listener', async (t) => {
    const view = await consul.view()
    t.same(view.mesh.detected, ['consul'])
    t.equal(view.mesh.components.find((c) => c.component === 'consul-dataplane')?.replicas, 5)
    // 5 sidecars x (9 in on public_listener + 6 out on upstream) = 75; envoy_prometheus_metrics' 5 rps each (100 in all) is not traffic.
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 75, RATE * 75), `5 x (9 + 6) = 75 rps, got ${view.traffic?.requestsPerSecond}`)
    t.ok(near(view.traffic?.requestsPerSecondPerProxy ?? 0, 15, RATE * 15), '75 rps over 5 consul-dataplane')
    t.equal(view.traffic?.metric, 'envoy_http_downstream_rq_total{consul_source_service!="", envoy_http_conn_manager_prefix=~"public_listener.*|upstream.*"}')
    t.same(view.missing, [])
  })

  t.test('meshes running without their metric are listed in missing and add no traffic; Kuma\'s is still read', async (t) => {
    const view = await unscraped.view()
    t.same(view.mesh.detected, ['cilium', 'consul', 'kuma'])
    // Kuma alone: 3 x (12 + 8) = 60 over its 3 sidecars. Consul's 2 pods and Hubble's flows add nothing.
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 60, RATE * 60), `3 x (12 + 8) = 60 rps, got ${view.traffic?.requestsPerSecond}`)
    t.ok(near(view.traffic?.requestsPerSecondPerProxy ?? 0, 20, RATE * 20), '60 rps over 3 kuma-dp, Consul\'s sidecars not counted')
    t.equal(view.traffic?.metric, 'envoy_http_downstream_rq_total{kuma_io_mesh_traffic="true"}')
    t.same(view.missing, [
      { metric: 'hubble_http_requests_total', exporter: 'Cilium (Hubble metrics, handler httpV2 or http; L7 visibility needed)', replacedBy: 'the default traffic per pod (models/defaults.yaml)' },
      { metric: 'envoy_http_downstream_rq_total{consul_source_service!="", envoy_http_conn_manager_prefix=~"public_listener.*|upstream.*"}', exporter: 'Envoy (Kuma\'s kuma-dp, Consul\'s consul-dataplane)', replacedBy: 'the default traffic per pod (models/defaults.yaml)' }
    ], 'Consul\'s is missing though Kuma\'s series of the same family are there')
  })

  t.test('the estimate takes each measured rate per proxy, and the default where no per-pod rate is measured', async (t) => {
    const estimate = async (url: string, meshes: string[]) => {
      const app = await buildApp(createConfig({}, { logLevel: 'silent', prometheusUrl: url, clusterRefreshSeconds: 0 }), { logger: false, models: shippedModels() })
      t.teardown(() => app.close())
      await freshScrape(url)
      const res = await app.inject({ method: 'POST', url: '/cluster/estimate', payload: { meshes, window: TEST_WINDOW } })
      t.equal(res.statusCode, 200, res.body.slice(0, 300))
      return res.json() as ClusterEstimateResponse
    }
    const fromKuma = await estimate(kuma.url, ['kuma', 'istio'])
    t.ok(near(fromKuma.scenario.traffic?.requestsPerSecondPerPod ?? 0, 20, RATE * 20), '12 in + 8 out through each pod\'s kuma-dp')
    const fromConsul = await estimate(consul.url, ['consul', 'linkerd'])
    t.ok(near(fromConsul.scenario.traffic?.requestsPerSecondPerPod ?? 0, 15, RATE * 15), '9 in + 6 out through each pod\'s Envoy')
    const fromCilium = await estimate(cilium.url, ['cilium', 'istio'])
    // No proxy in each pod: the measured total, 4 x (25 + 10) = 140 rps, over the 4 web pods to mesh = 35 a pod.
    t.ok(near(fromCilium.scenario.traffic?.requestsPerSecond ?? 0, 140, RATE * 140), 'the requests Hubble saw, in total')
    t.ok(near(fromCilium.assumptions.requestsPerSecondPerPod, 35, RATE * 35), 'over the pods to mesh')
    t.notOk(fromCilium.assumptions.defaultsApplied.some((d) => d.field === '/traffic/requestsPerSecondPerPod'), 'no default traffic')
  })
}
