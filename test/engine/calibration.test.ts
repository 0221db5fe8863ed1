// Every published benchmark a model lists under `calibrations` is rebuilt as a scenario; the model must
// reproduce the published figure for one replica, on the usage basis, within the tolerance the model states.
import t from 'tap'
import { reproduce } from '../../src/engine/calibration.js'
import { shippedModels } from '../helpers.js'

const models = shippedModels()
const calibrated = [...models.meshes.values()].filter((m) => (m.calibrations ?? []).length > 0)

t.test('the published per-rps and at-scale figures are all calibrated', async (t) => {
  const ids = calibrated.flatMap((m) => (m.calibrations ?? []).map((c) => `${m.id}/${c.id}`))
  t.ok(ids.length >= 4, `calibrations: ${ids.join(', ')}`)
})

for (const mesh of calibrated) {
  for (const calibration of mesh.calibrations ?? []) {
    t.test(`${mesh.id}: ${calibration.title}`, async (t) => {
      const { model, published, pass } = reproduce(mesh, calibration, models)
      const parts = [
        published.cpuCores === undefined ? '' : `cpu: model ${model.cpuCores.toFixed(4)} vs published ${published.cpuCores}`,
        published.memoryGiB === undefined ? '' : `memory: model ${(model.memoryGiB * 1024).toFixed(2)} MiB vs published ${(published.memoryGiB * 1024).toFixed(2)} MiB`
      ].filter(Boolean)
      t.ok(pass, `${parts.join('; ')} (within ${calibration.tolerancePercent}%)`)
    })
  }
}

t.test('a calibration fails when the model strays', async (t) => {
  const mesh = calibrated[0]
  const calibration = mesh?.calibrations?.[0]
  if (mesh === undefined || calibration === undefined) return t.fail('no calibration to test with')
  const doubled = { ...calibration, cpu: calibration.cpu === undefined ? undefined : `${Number(calibration.cpu.replace(/m$/, '')) * 3}${calibration.cpu.endsWith('m') ? 'm' : ''}`, memory: calibration.memory === undefined ? undefined : calibration.memory.replace(/^[0-9.]+/, (n) => String(Number(n) * 3)), tolerancePercent: 10 }
  t.notOk(reproduce(mesh, doubled, models).pass, 'three times the published figure is not reproduced')
})
