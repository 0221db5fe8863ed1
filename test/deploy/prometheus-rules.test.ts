// deploy/prometheus: the recording rules and alerts, checked and unit-tested by Prometheus's own promtool
// (Debian's prometheus package ships it), and the Prometheus Operator's PrometheusRule holding the same groups.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { PACKAGE_ROOT } from '../../src/config.js'
import { prometheusBinary } from '../prometheus/harness.js'

const DIR = join(PACKAGE_ROOT, 'deploy', 'prometheus')

/** promtool beside the prometheus binary; under CI a missing one fails, elsewhere the file skips. */
function promtool (t: Tap): string | undefined {
  const prometheus = prometheusBinary()
  const bin = prometheus === undefined ? undefined : join(prometheus, '..', 'promtool')
  if (bin !== undefined && spawnSync(bin, ['--version']).status === 0) return bin
  const how = 'no promtool beside the prometheus binary: apt-get install prometheus (.ci/run does)'
  if (process.env.CI === 'true') t.fail(how)
  else t.skip(how, () => {})
  return undefined
}
type Tap = Pick<typeof t, 'fail' | 'skip'>

t.test('promtool check rules: the rules file parses, every expression is valid PromQL', async (t) => {
  const bin = promtool(t)
  if (bin === undefined) return
  const run = spawnSync(bin, ['check', 'rules', 'meshcost-rules.yml'], { cwd: DIR, encoding: 'utf8' })
  t.equal(run.status, 0, run.stdout + run.stderr)
  t.match(run.stdout, /SUCCESS: 5 rules found/)
})

t.test('promtool test rules: the usage alert fires after 30 minutes above the high bound, the refresh alert after 15 minutes of failures, and neither otherwise', async (t) => {
  const bin = promtool(t)
  if (bin === undefined) return
  const run = spawnSync(bin, ['test', 'rules', 'meshcost-rules.test.yml'], { cwd: DIR, encoding: 'utf8' })
  t.equal(run.status, 0, run.stdout + run.stderr)
  t.match(run.stdout, /SUCCESS/)
})

t.test('the PrometheusRule holds exactly the rules file\'s groups', async (t) => {
  const plain = parse(readFileSync(join(DIR, 'meshcost-rules.yml'), 'utf8')) as { groups: unknown[] }
  const rule = parse(readFileSync(join(DIR, 'prometheusrule.yaml'), 'utf8')) as { apiVersion: string, kind: string, metadata: { name: string }, spec: { groups: unknown[] } }
  t.equal(rule.apiVersion, 'monitoring.coreos.com/v1')
  t.equal(rule.kind, 'PrometheusRule')
  t.same(rule.spec.groups, plain.groups)
})
