// deploy/kubernetes, as kustomize would render it: every object valid against the Kubernetes API schemas
// (kubernetes-models, generated from Kubernetes' OpenAPI), and every value that must agree with the service
// agreeing with it: ports, probe paths and what they answer, the environment (parsed by the service's own
// createConfig), the grace period against the shutdown delay and grace, memory against the heap limit,
// selectors against pod labels, and the image's user.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { Service } from 'kubernetes-models/v1'
import t from 'tap'
import { parseAllDocuments, parse } from 'yaml'
import { createConfig, PACKAGE_ROOT } from '../../src/config.js'
import { testApp } from '../helpers.js'

const DIR = join(PACKAGE_ROOT, 'deploy', 'kubernetes')
const MODELS = { Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy }
type Kind = keyof typeof MODELS
interface Manifest { apiVersion: string, kind: Kind, metadata: { name: string, labels?: Record<string, string> }, spec: any }

/** The base as kustomize renders it here: its resources, in order, with its image override applied. */
function render (): Manifest[] {
  const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[], images?: Array<{ name: string, newName?: string, newTag?: string }> }
  const objects = kustomization.resources.flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => doc.toJS() as Manifest))
  for (const object of objects) {
    for (const container of object.kind === 'Deployment' ? object.spec.template.spec.containers : []) {
      const override = kustomization.images?.find((i) => i.name === container.image)
      if (override !== undefined) container.image = `${override.newName ?? override.name}:${override.newTag ?? 'latest'}`
    }
  }
  return objects
}

const objects = render()
const one = <K extends Kind>(kind: K): Manifest => {
  const found = objects.filter((o) => o.kind === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`)
  return found[0] as Manifest
}
const deployment = one('Deployment')
const pod = deployment.spec.template.spec
const container = pod.containers[0]
const env = Object.fromEntries((container.env as Array<{ name: string, value: string }>).map((e) => [e.name, e.value]))
const config = createConfig(env)

t.test('a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy, each valid against the Kubernetes API schema', async (t) => {
  t.same(objects.map((o) => o.kind).sort(), Object.keys(MODELS).sort())
  for (const object of objects) {
    t.doesNotThrow(() => { new MODELS[object.kind](object as never).validate() }, `${object.kind} ${object.metadata.name} is valid ${object.apiVersion}`)
  }
  // The validation does catch a broken object.
  const broken = structuredClone(deployment)
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'http'
  t.throws(() => { new Deployment(broken as never).validate() }, 'a string where a port number belongs is refused')
  const hpa = structuredClone(one('HorizontalPodAutoscaler'))
  delete hpa.spec.scaleTargetRef
  t.throws(() => { new HorizontalPodAutoscaler(hpa as never).validate() }, 'a missing required field is refused')
})

t.test('ports, probes and selectors agree with the service', async (t) => {
  const http = container.ports.find((p: { name: string }) => p.name === 'http')
  t.equal(http.containerPort, config.port, 'the container port is the PORT the service listens on')
  t.equal(config.host, '0.0.0.0', 'listens beyond loopback')
  const service = one('Service')
  t.equal(service.spec.ports[0].targetPort, 'http', 'the Service targets the named port')
  t.same(one('NetworkPolicy').spec.ingress[0].ports, [{ port: 'http', protocol: 'TCP' }], 'ingress from anywhere is allowed to the HTTP port only')
  const metrics = container.ports.find((p: { name: string }) => p.name === 'metrics')
  t.equal(metrics.containerPort, config.metricsPort, 'the metrics port is the METRICS_PORT the service serves /metrics on')
  t.same(service.spec.ports.map((p: { targetPort: string }) => p.targetPort), ['http'], 'the Service does not expose the metrics port')
  t.same(one('NetworkPolicy').spec.ingress[1], { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 'metrics', protocol: 'TCP' }] }, 'the metrics port admits the monitoring namespace only')
  t.equal(config.trustProxy, 'off', 'X-Forwarded-For is believed from nobody until the operator names the ingress')

  t.equal(container.readinessProbe.httpGet.path, '/readyz')
  t.equal(container.livenessProbe.httpGet.path, '/healthz')
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) t.equal(probe.httpGet.port, 'http')
  const app = await testApp(t)
  for (const path of ['/readyz', '/healthz']) t.equal((await app.inject(path)).statusCode, 200, `${path} answers 200 on a healthy replica`)
  app.beginShutdown()
  t.equal((await app.inject(container.readinessProbe.httpGet.path)).statusCode, 503, 'the readiness probe fails once shutting down')
  t.equal((await app.inject(container.livenessProbe.httpGet.path)).statusCode, 200, 'the liveness probe does not')

  const labels = deployment.spec.template.metadata.labels
  for (const [what, selector] of [
    ['Deployment', deployment.spec.selector.matchLabels],
    ['Service', service.spec.selector],
    ['PodDisruptionBudget', one('PodDisruptionBudget').spec.selector.matchLabels],
    ['NetworkPolicy', one('NetworkPolicy').spec.podSelector.matchLabels],
    ['topology spread', pod.topologySpreadConstraints[0].labelSelector.matchLabels]
  ]) t.match(labels, selector, `the ${what} selects the pods`)
  const hpa = one('HorizontalPodAutoscaler')
  t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
  t.equal(deployment.spec.replicas, undefined, 'no replica count to fight the autoscaler')
  t.ok(hpa.spec.minReplicas >= 2 && one('PodDisruptionBudget').spec.maxUnavailable === 1, 'a disruption leaves a replica serving')
  t.match(hpa.spec.metrics[0], { type: 'Resource', resource: { name: 'cpu' } })
})

t.test('the grace period covers the shutdown delay and grace, with room to spare', async (t) => {
  const processLimitMs = config.shutdownDelayMs + config.shutdownGraceMs
  const kubeletMs = pod.terminationGracePeriodSeconds * 1000
  t.ok(config.shutdownDelayMs >= 3000, `the delay (${config.shutdownDelayMs} ms) gives load balancers seconds to catch up`)
  t.ok(kubeletMs >= processLimitMs + 5000, `terminationGracePeriodSeconds (${kubeletMs} ms) exceeds the process's own limit (${processLimitMs} ms) by 5 s or more: SIGKILL never cuts a drain short`)
})

t.test('resources and security agree with the image and the overload limits', async (t) => {
  const mib = (q: string): number => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN)
  t.ok(mib(container.resources.limits.memory) > config.overloadMaxHeapUsedMiB + 64, `the memory limit (${container.resources.limits.memory}) leaves room above the heap at which load is shed (${config.overloadMaxHeapUsedMiB} MiB)`)
  t.ok(mib(container.resources.requests.memory) <= mib(container.resources.limits.memory))
  t.ok(container.resources.requests.cpu !== undefined, 'a CPU request, which the autoscaler\'s utilisation is relative to')

  const dockerfile = readFileSync(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8')
  t.match(dockerfile, /^USER node$/m, 'the image runs as node, uid 1000 in the node images')
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } })
  t.match(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } })
  t.same(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }], 'the only writable place is /tmp')
  t.match(pod.volumes, [{ name: 'tmp', emptyDir: {} }])
  t.equal(pod.automountServiceAccountToken, false)
})

t.test('egress: DNS and Prometheus only', async (t) => {
  const policy = one('NetworkPolicy')
  t.same(policy.spec.policyTypes, ['Ingress', 'Egress'])
  const egressPorts = policy.spec.egress.map((rule: { ports: Array<{ port: number, protocol: string }> }) => rule.ports.map((p) => `${p.port}/${p.protocol}`).join(','))
  t.same(egressPorts, ['53/UDP,53/TCP', '9090/TCP'], 'DNS to kube-dns, then Prometheus\'s HTTP API')
  t.match(policy.spec.egress[1].to[0], { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } })
})
