// The meshcost command: in-process and against --url, table, JSON and CSV, and its errors.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { run } from '../src/cli.js'
import { estimate } from '../src/engine/answer.js'
import { PACKAGE_ROOT } from '../src/config.js'
import type { EstimateResponse } from '../src/schemas/estimate.js'
import { shippedModels, testApp } from './helpers.js'

async function cli (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await run(argv, { out: (s) => { out += s }, err: (s) => { err += s } })
  return { code, out, err }
}

t.test('estimate --pods 100 prints a table of every mesh with cores, memory and monthly cost', async (t) => {
  const { code, out, err } = await cli('estimate', '--pods', '100')
  t.equal(code, 0, err)
  const lines = out.split('\n')
  t.match(lines[0], /^100 pods on gcp\/n2-standard-4, max basis/)
  t.match(lines[2], /^Mesh +CPU cores +Memory GiB +Monthly cost \(USD\)/)
  const json = (await cli('estimate', '--pods', '100', '--json'))
  const result = JSON.parse(json.out) as EstimateResponse
  t.equal(result.estimates.length, shippedModels().meshes.size)
  for (const e of result.estimates) {
    const row = lines.find((l) => l.startsWith(`${e.mesh} `))
    t.ok(row, `${e.mesh}: a row`)
    t.match(row, e.cost.monthly.expected.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), `${e.mesh}: its monthly cost`)
    t.match(row, e.totals.cpuCores.expected.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), `${e.mesh}: its cores`)
    t.match(row, e.totals.memoryGiB.expected.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), `${e.mesh}: its memory`)
  }
})

t.test('flags mean what the query parameters and the body mean', async (t) => {
  const app = await testApp(t)
  const flags = ['--pods', '300', '--meshes', 'istio,linkerd', '--node-type', 'aws/m5.large', '--region', 'us-east-1', '--pod-cpu-cores', '0.25', '--pod-memory-gib', '1', '--high-availability', '--basis', 'requests']
  const { code, out } = await cli('estimate', ...flags, '--json')
  t.equal(code, 0)
  const body = { pods: 300, meshes: ['istio', 'linkerd'], basis: 'requests', workload: { podRequests: { cpuCores: 0.25, memoryGiB: 1 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' }, options: { highAvailability: true } }
  t.same(JSON.parse(out), (await app.inject({ method: 'POST', url: '/estimate', payload: body })).json())
  const csv = await cli('estimate', '--pods', '10', '--meshes', 'linkerd', '--csv')
  t.match(csv.out, /^ChargePeriodStart,/)
  t.ok(csv.out.split('\r\n').slice(1, -1).every((l) => l.includes(',linkerd,')))
})

t.test('--node-pools: the pools in the heading, the same figures as the body with cluster.nodePools', async (t) => {
  const app = await testApp(t)
  const pools = 'aws/m5.large@us-east-1:3,aws/m7g.xlarge@us-east-1:5:spot:60'
  const { code, out, err } = await cli('estimate', '--pods', '57', '--meshes', 'istio', '--pod-cpu-cores', '0.5', '--pod-memory-gib', '1.5', '--node-pools', pools)
  t.equal(code, 0, err)
  t.match(out.split('\n')[0], /^57 pods on aws\/m5.large x3 \+ aws\/m7g.xlarge spot x7, /)
  const json = await cli('estimate', '--pods', '57', '--meshes', 'istio', '--pod-cpu-cores', '0.5', '--pod-memory-gib', '1.5', '--node-pools', pools, '--json')
  const body = { pods: 57, meshes: ['istio'], workload: { podRequests: { cpuCores: 0.5, memoryGiB: 1.5 } }, cluster: { nodePools: [{ nodeType: 'aws/m5.large', region: 'us-east-1', count: 3 }, { nodeType: 'aws/m7g.xlarge', region: 'us-east-1', count: 5, pricing: { model: 'spot', discountPercent: 60 } }] } }
  t.same(JSON.parse(json.out), (await app.inject({ method: 'POST', url: '/estimate', payload: body })).json())
  const bad = await cli('estimate', '--pods', '5', '--node-pools', 'aws/m9.huge')
  t.equal(bad.code, 2)
  t.match(bad.err, /--node-pools unknown node type "aws\/m9.huge"/)
})

t.test('against a server with --url', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const local = await cli('estimate', '--pods', '100', '--meshes', 'istio')
  const remote = await cli('estimate', '--pods', '100', '--meshes', 'istio', '--url', address)
  t.equal(remote.code, 0, remote.err)
  t.equal(remote.out, local.out, 'the same table')
  const csv = await cli('estimate', '--pods', '100', '--url', address, '--csv')
  t.match(csv.out, /^ChargePeriodStart,/)
  const bad = await cli('estimate', '--pods', '1', '--meshes', 'nope', '--url', address)
  t.equal(bad.code, 2)
  t.match(bad.err, /--meshes unknown mesh "nope"/)
  const down = await cli('estimate', '--pods', '1', '--url', 'http://127.0.0.1:9', '--timeout', '2000')
  t.equal(down.code, 1)
  t.match(down.err, /^meshcost: .*(ECONNREFUSED|no answer)/)
})

t.test('bad flags: exit 2 with the flag named', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['estimate'], /--pods is required/],
    [['estimate', '--pods', 'many'], /--pods must be integer/],
    [['estimate', '--pods', '10', '--basis', 'average'], /--basis must be one of/],
    [['estimate', '--pods', '10', '--pod-cpu-cores', '1'], /--pod-memory-gib is required with --pod-cpu-cores/],
    [['estimate', '--pods', '10', '--node-type', 'aws/m99.galactic'], /--node-type unknown node type/],
    [['estimate', '--pods', '10', '--colour', 'blue'], /Unknown option '--colour'/],
    [['estimate', '--pods', '10', '--json', '--csv'], /not both/],
    [['price', '--pods', '10'], /unknown command "price"/],
    [['estimate', '--pods', '10', '--url', 'nowhere'], /--url not a URL/]
  ]
  for (const [argv, message] of cases) {
    const { code, err, out } = await cli(...argv)
    t.equal(code, 2, argv.join(' '))
    t.match(err, message, argv.join(' '))
    t.equal(out, '', 'nothing on stdout')
  }
  const help = (await cli('--help')).out
  t.match(help, /Usage: meshcost estimate --pods N/)
  // every value an option takes is in its help, not only what comes before the description's first ';'
  for (const value of ['commitment3Year', 'summary: per mesh', 'default: as many as the workload needs']) t.ok(help.replace(/\s+/g, ' ').includes(value), `--help names ${value}`)
  t.same(help.split('\n').filter((line) => line.length > 110), [], 'lines wrapped at 110 columns')
  t.match((await cli('--version')).out, /^meshcost \d+\.\d+\.\d+/)
})

t.test('bin/meshcost.js, as npx runs it', async (t) => {
  const result = await new Promise<{ code: number | null, out: string, err: string }>((resolve) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'meshcost.js'), 'estimate', '--pods', '100', '--meshes', 'linkerd'], {
      env: { ...process.env, MESHCOST_FROM_SOURCE: '1' }, // this checkout's src/, not a dist/ that may be stale
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr.on('data', (c: Buffer) => { err += c.toString() })
    child.on('close', (code) => resolve({ code, out, err }))
  })
  t.equal(result.code, 0, result.err)
  // The row carries the engine's expected CPU for the scenario, to two decimals (the models move; the format does not).
  const expected = estimate({ pods: 100, meshes: ['linkerd'] }, shippedModels()).estimates[0]?.totals.cpuCores.expected ?? NaN
  t.match(result.out, new RegExp(`^linkerd +${expected.toFixed(2).replace('.', '\\.')} \\(`, 'm'))
})
