// An estimate says when a component's figures come only from its engine's measurements in other meshes: Kuma's and
// Consul's proxies are Envoy, and nobody has published a kuma-dp or consul-dataplane measurement (issue 23, item 1).
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import { borrowedEvidence } from '../../src/engine/borrowed-evidence.js'
import { shippedModels } from '../helpers.js'

const models = shippedModels()
const borrowed = (mesh: string): string[] => borrowedEvidence(models.meshes.get(mesh) ?? (() => { throw new Error(mesh) })(), models.evidence).map((b) => b.component.id)

t.test('Kuma\'s and Consul\'s sidecars borrow Envoy\'s evidence; Istio\'s and Linkerd\'s have their own', async (t) => {
  t.same(borrowed('kuma'), ['kuma-dp'], 'kuma-control-plane has Kong\'s own run; kuma-dp none')
  t.ok(borrowed('consul').includes('consul-dataplane'))
  t.notOk(borrowed('istio').includes('istio-proxy'))
  t.notOk(borrowed('linkerd').includes('linkerd-proxy'))
  for (const b of borrowedEvidence(models.meshes.get('kuma') ?? models.meshes.values().next().value!, models.evidence)) {
    t.equal(b.component.engine, 'envoy')
    t.ok(b.sources >= 3, `${b.sources} sources measured Envoy elsewhere`)
  }
})

t.test('the answer says so, for the meshes it estimates and only those', async (t) => {
  const notes = (meshes: string[]) => estimate({ pods: 100, meshes }, models).assumptions.notes
  t.ok(notes(['kuma']).some((n) => /kuma-dp .*no measurements of its own; its usage is the envoy engine's/.test(n)))
  t.notOk(notes(['istio']).some((n) => /no measurements of its own/.test(n)), 'not for a mesh whose proxy was measured')
  t.notOk(notes(['istio', 'linkerd']).some((n) => /Kuma/.test(n)), 'not for a mesh not asked for')
})
