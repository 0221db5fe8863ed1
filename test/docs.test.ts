// Every example in README.md and docs/ that shows output is run against the service, listening on a real
// socket, and its output checked: a JSON block is a trimmed copy of the answer (every field it shows must be
// there with that value; a string starting with "…" stands for what was left out), other lines must match the
// answer's lines. The whole answer is kept as a golden file in test/golden/, as Infracost keeps its
// testdata: `npm run generate` (its last step, UPDATE_GOLDEN=1) rewrites them, and the diff shows what a change did.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { run } from '../src/cli.js'
import { PACKAGE_ROOT } from '../src/config.js'
import { generatedBlocks, renderGenerated } from './doc-tables.js'
import { shippedModels, testApp } from './helpers.js'

const UPDATE = process.env.UPDATE_GOLDEN === '1'
const GOLDEN = join(PACKAGE_ROOT, 'test', 'golden')
const DOCS = ['README.md', ...readdirSync(join(PACKAGE_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]

interface Example { doc: string, line: number, command: string, shown: string[], shownJson?: string }

/** Commands whose output depends on the moment (counters, memory) or that only compare: shown, not checked. */
const UNCHECKED = [/^diff /, /\/metrics/]

/** The examples of one Markdown file: `$ command` lines in a console block, the output after them or in the next block. */
function examples (doc: string): Example[] {
  const lines = readFileSync(join(PACKAGE_ROOT, doc), 'utf8').split('\n')
  const found: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```console') continue
    let j = i + 1
    const inBlock: Example[] = []
    while (j < lines.length && lines[j] !== '```') {
      const line = lines[j] as string
      if (line.startsWith('$ ')) {
        let command = line.slice(2)
        while (command.endsWith('\\')) command = command.slice(0, -1).trimEnd() + ' ' + (lines[++j] ?? '').trim()
        inBlock.push({ doc, line: j + 1, command, shown: [] })
      } else if (inBlock.length > 0) {
        inBlock[inBlock.length - 1]?.shown.push(line)
      }
      j++
    }
    // a lone command whose answer is the next ```json block
    const last = inBlock[inBlock.length - 1]
    if (last !== undefined && last.shown.length === 0 && lines[j + 1] === '```json') {
      const end = lines.indexOf('```', j + 2)
      last.shownJson = lines.slice(j + 2, end).join('\n')
    }
    found.push(...inBlock.filter((e) => e.shown.some((l) => l.trim() !== '') || e.shownJson !== undefined))
    i = j
  }
  return found
}

const word = (command: string, flag: string): string | undefined => new RegExp(`${flag} '([^']*)'`).exec(command)?.[1]

/** Run a `curl -s …` or `npx meshcost …` line as written, against the service at `origin`. */
async function execute (example: Example, origin: string, previousBody: string | undefined): Promise<string> {
  const { command } = example
  if (command.startsWith('npx meshcost ')) {
    let out = ''
    await run(command.slice('npx meshcost '.length).split(/\s+/), { out: (s) => { out += s }, err: (s) => { out += s } })
    return out
  }
  const [curl, ...pipes] = command.split(' | ')
  const url = /curl -s '?(localhost:3000[^' ]*)'?/.exec(curl ?? '')?.[1]
  if (url === undefined) throw new Error(`${example.doc}:${example.line}: not a command the docs test runs: ${command}`)
  let body = word(curl ?? '', '-d')
  if (body?.startsWith('…')) body = previousBody
  const headers: Record<string, string> = {}
  for (const m of (curl ?? '').matchAll(/-H '([^:]+): ([^']*)'/g)) headers[(m[1] as string).toLowerCase()] = m[2] as string
  const res = await request(`${origin}${url.slice('localhost:3000'.length)}`, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body }) })
  let text = await res.body.text()
  if (/^application\/(problem\+)?json/.test(String(res.headers['content-type'])) && pipes.length === 0 && example.shownJson !== undefined) {
    text = JSON.stringify(JSON.parse(text), null, 2) + '\n'
  }
  for (const pipe of pipes) {
    const head = /^head -(\d+)$/.exec(pipe.trim())
    if (head === null) throw new Error(`${example.doc}:${example.line}: unsupported pipe: ${pipe}`)
    text = text.split(/(?<=\n)/).slice(0, Number(head[1])).join('')
  }
  return text
}

/** What varies from run to run: the charge period (next month), request ids. */
const normalise = (text: string): string => text
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
  .replace(/"requestId": ?"[^"]*"/g, '"requestId":"<request-id>"')

/** Does `shown` (a trimmed copy) match `actual`? Objects: each shown key (a request id differs every time); arrays: each shown item, in order, skipping "…" items. */
function matches (shown: unknown, actual: unknown, at: string, problems: string[]): void {
  if (typeof shown === 'string' && shown.startsWith('…')) return
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) { problems.push(`${at}: not an array`); return }
    const items = shown.filter((s) => !(typeof s === 'string' && s.startsWith('…')))
    const trimmed = items.length < shown.length
    if (!trimmed && items.length !== actual.length) problems.push(`${at}: ${actual.length} items, the doc shows ${items.length}`)
    let k = 0
    for (const [i, item] of items.entries()) {
      if (!trimmed) { matches(item, actual[i], `${at}/${i}`, problems); continue }
      // a trimmed array shows some items, in order: find each one
      const shownItem = item as Record<string, unknown>
      const key = ['id', 'mesh'].find((name) => shownItem?.[name] !== undefined)
      if (key !== undefined) {
        const found = actual.findIndex((a, index) => index >= k && (a as Record<string, unknown>)[key] === shownItem[key])
        k = found === -1 ? actual.length : found
      }
      matches(item, actual[k], `${at}/${k}`, problems)
      k++
    }
    return
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object') { problems.push(`${at}: not an object`); return }
    for (const [key, value] of Object.entries(shown)) if (key !== 'requestId') matches(value, (actual as Record<string, unknown>)[key], `${at}/${key}`, problems)
    return
  }
  if (shown !== actual) problems.push(`${at}: the doc shows ${JSON.stringify(shown)}, the service answers ${JSON.stringify(actual)}`)
}

function checkShown (t: Test, example: Example, actual: string): void {
  const where = `${example.doc}:${example.line}`
  const problems: string[] = []
  if (example.shownJson !== undefined) {
    matches(JSON.parse(example.shownJson) as unknown, JSON.parse(actual) as unknown, '', problems)
  } else {
    const actualLines = actual.split(/\r?\n/) // CSV lines end in CRLF (RFC 4180)
    const shown = example.shown.filter((l, i, all) => !(l === '' && i === all.length - 1))
    for (const [i, line] of shown.entries()) {
      if (line.startsWith('{')) matches(JSON.parse(line) as unknown, JSON.parse(actualLines[i] ?? 'null') as unknown, `line ${i + 1}`, problems)
      else if (normalise(line) !== normalise(actualLines[i] ?? '')) problems.push(`line ${i + 1}: the doc shows\n  ${line}\nthe service answers\n  ${actualLines[i] ?? '(nothing)'}`)
    }
  }
  t.same(problems, [], `${where}: ${example.command}`)
}

t.test('every example in the docs that shows output is what the running service answers', async (t) => {
  const app = await testApp(t, undefined, { rateLimitMax: 0 })
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true })
  const expectedGoldens = new Set<string>()
  let checked = 0
  for (const doc of DOCS) {
    let previousBody: string | undefined
    const counts = new Map<string, number>()
    for (const example of examples(doc)) {
      if (UNCHECKED.some((re) => re.test(example.command))) continue
      const actual = await execute(example, origin, previousBody)
      previousBody = word(example.command, '-d') ?? previousBody
      checkShown(t, example, actual)
      checked++
      // golden: the whole answer, named after the doc and the example's place in it
      const base = doc.replace(/^docs\//, '').replace(/\.md$/, '').toLowerCase()
      const n = (counts.get(base) ?? 0) + 1
      counts.set(base, n)
      const name = `${base}-${n}.golden`
      expectedGoldens.add(name)
      const file = join(GOLDEN, name)
      if (UPDATE) writeFileSync(file, normalise(actual))
      else {
        let golden: string | undefined
        try { golden = readFileSync(file, 'utf8') } catch {}
        t.equal(normalise(actual), golden, `test/golden/${name} (${example.doc}:${example.line}); after a deliberate change: npm run generate`)
      }
    }
  }
  t.ok(checked >= 10, `${checked} examples checked`)
  if (!UPDATE) t.same(readdirSync(GOLDEN).filter((f) => !expectedGoldens.has(f)), [], 'no golden file is left over from a removed example')
})

t.test('the tables computed from the models are what the engine gives today (npm run generate rewrites them)', async (t) => {
  const blocks = generatedBlocks(shippedModels())
  const seen = new Set<string>()
  for (const doc of DOCS) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8')
    for (const m of text.matchAll(/<!-- generated:([a-z-]+) -->/g)) seen.add(m[1] as string)
    const fresh = renderGenerated(text, blocks)
    if (UPDATE) writeFileSync(join(PACKAGE_ROOT, doc), fresh)
    else t.equal(text, fresh, `${doc}: its generated blocks are current`)
  }
  // scripts/validation.ts writes the validation blocks (test/validation-docs.test.ts checks them); the others are here.
  t.same([...seen].sort(), [...Object.keys(blocks), 'validation', 'validation-misses', 'validation-quadrature'].sort(), 'every table has its place in docs/')
})

t.test('the README gives the two commands a new user needs, and stays a front door', async (t) => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  t.match(readme, 'npm ci && npm start')
  t.match(readme, 'npm ci && npm test')
  t.ok(readme.split('\n').length <= 200, `${readme.split('\n').length} lines`)
  for (const doc of ['api', 'models', 'decisions', 'integrations', 'operations', 'performance', 'testing']) t.match(readme, `(docs/${doc}.md)`, `links docs/${doc}.md`)
  t.match(readme, '(CONTRIBUTING.md)', 'links CONTRIBUTING.md')
  const models = readFileSync(join(PACKAGE_ROOT, 'docs', 'models.md'), 'utf8')
  t.match(models, /^## How to add a mesh$/m)
  t.match(models, /^## Glossary$/m)
  for (const term of ['basis', 'allocated cost', 'marginal cost', 'models', 'node catalog', 'price book', 'seed']) t.match(models, `- **${term}**`, `glossary: ${term}`)
})

t.test('the route tables of README.md and docs/api.md list every route the service serves, and no other', async (t) => {
  const app = await testApp(t)
  const spec = (await app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>()
  const served = new Set(Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)))
  // Served beside the API document, not in it.
  for (const route of ['GET /openapi.json', 'GET /openapi.yaml', 'GET /docs', 'GET /']) {
    t.equal((await app.inject(route.split(' ')[1] as string)).statusCode < 400, true, `${route} answers`)
    served.add(route)
  }
  for (const doc of ['README.md', 'docs/api.md']) {
    const listed = new Set<string>()
    for (const line of readFileSync(join(PACKAGE_ROOT, doc), 'utf8').split('\n')) {
      const cell = /^\| (`(GET|POST) [^|]*) \|/.exec(line)?.[1]
      if (cell === undefined) continue
      for (const m of cell.matchAll(/`(GET|POST) ([^`?]+)[^`]*`/g)) listed.add(`${m[1] as string} ${m[2] as string}`)
    }
    t.same([...served].filter((r) => !listed.has(r)), [], `${doc}: every served route is in its table`)
    t.same([...listed].filter((r) => !served.has(r)), [], `${doc}: every route in its table is served`)
  }
})

t.test('the CSV headers the docs show are the service\'s', async (t) => {
  const { SWEEP_COLUMNS, COMPONENT_COLUMNS } = await import('../src/encoders/csv.js')
  const headers = [SWEEP_COLUMNS, COMPONENT_COLUMNS].map((c) => c.join(','))
  for (const doc of DOCS) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8')
    for (const m of text.matchAll(/`((?:x_MeshId|ChargePeriodStart),[^`]*)`/g)) {
      const shown = (m[1] as string).replace(/,…$/, '')
      t.ok(headers.some((h) => h.startsWith(shown)), `${doc}: \`${m[1] as string}\` begins a header the service writes`)
    }
  }
})

/** A number as the prose writes it: 1,000,000; 0.5. */
const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 6 })
/** A small count as the prose writes it. */
const words = (x: number): string => ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'][x] ?? n(x)
const file = (path: string): string => readFileSync(join(PACKAGE_ROOT, path), 'utf8')
/** A number a source file states and does not export (`const NAME = 64 * 1024`, `name: 600`), as the code computes it. */
function stated (path: string, pattern: RegExp): number {
  const expression = pattern.exec(file(path))?.[1]
  if (expression === undefined || !/^[\d_.*\s]+$/.test(expression)) throw new Error(`${path}: ${String(pattern)} states no number (${expression ?? 'nothing'})`)
  return expression.split('*').reduce((product, factor) => product * Number(factor.trim().replace(/_/g, '')), 1)
}
/** A TypeBox schema's keywords, read as JSON Schema. */
const keywords = (schema: unknown): { minimum?: number, exclusiveMaximum?: number, description?: string } => schema as { minimum?: number, exclusiveMaximum?: number, description?: string }

/**
 * Every figure the prose of docs/ states that is defined elsewhere (the code's constants and defaults, the model
 * files, the deployment files, a test's own parameters) is built here from where it is defined, and the doc must
 * say it: changing either side fails this test. Figures the service computes are in generated blocks or checked
 * examples instead; measurements are dated where they stand (docs/performance.md, docs/operations.md).
 */
t.test('the figures the prose takes from the code, the models and the deployment files are theirs', async (t) => {
  const { DEFAULT_CONFIG } = await import('../src/config.js')
  const { HOURS_PER_MONTH, HOURS_PER_YEAR } = await import('../src/units.js')
  const { COVERAGE, MIN_SOURCES } = await import('../src/engine/jackknife.js')
  const { NEAR_IDLE_RPS, ADJUSTMENT_MIN_SOURCES } = await import('../src/engine/fit.js')
  const { LIMITS, EstimateRequest, NodePool } = await import('../src/schemas/estimate.js')
  const { SWEEP_LIMITS, STREAM_LIMITS, BATCH_LIMITS, SweepRequest } = await import('../src/schemas/integration.js')
  const { MAX_LISTED_ERRORS, ERROR_LIMITS } = await import('../src/errors.js')
  const { MAX_PROBLEM_BYTES } = await import('../src/plugins/problem.js')
  const { RETRY_AFTER_SECONDS } = await import('../src/plugins/overload.js')
  const { QUIET_MS, SETTLE_QUIET_MS } = await import('../src/plugins/drain.js')
  const { MAX_ANSWER_BYTES } = await import('../src/prometheus/client.js')
  const { BOUNDS } = await import('../src/prometheus/plausible.js')
  const { STREAM_CHUNK_BYTES } = await import('../src/encoders/stream.js')
  const { cpuCores, memoryGiB } = await import('../src/models/quantity.js')
  const { maxHeaderSize } = await import('node:http')
  const { parse } = await import('yaml')
  const models = shippedModels()
  const d = models.defaults
  const KiB = 1024
  const MiB = 2 ** 20
  const claims: Array<[doc: string, text: string]> = []
  const say = (doc: string, ...texts: string[]): void => { for (const text of texts) claims.push([doc, text]) }

  // docs/models.md: the drivers' defaults (models/defaults.yaml)
  const rps = d.requestsPerSecondPerPod.value
  const skew = d.skewedTraffic
  say('docs/models.md',
    `| ${rps} (Istio's load-test mesh) |`, `| pods ÷ ${d.podsPerService.value} |`,
    `beyond the ${d.activeConnectionsPerPod.value} the benchmarks held`, `| ${d.activeConnectionsPerPod.value} (AKS's and Istio's benchmark) |`,
    `| ${d.podChurnPerMinute.value} (steady state, as measured) |`,
    `at the default ${rps} requests per second per pod`, `\`traffic.requestsPerSecondPerPod\` (default ${rps})`,
    `puts ${Math.round(skew.trafficShare * 100)}% of the requests on ${Math.round(skew.podShare * 100)}% of the pods`,
    `\`workload.services\` (default pods / ${d.podsPerService.value})`, `\`Sidecar\` resource; default ${d.servicesVisibleWhenScoped.value})`)
  // Envoy's configuration terms (models/meshes/istio.yaml)
  const envoyTerm = (per: string): number => {
    const term = models.meshes.get('istio')?.components.find((c) => c.id === 'istio-proxy')?.usage.scaling?.find((s) => s.per === per)?.memory
    if (term === undefined) throw new Error(`istio-proxy has no ${per} memory term`)
    return memoryGiB(term.expected) * 2 ** 30 / 1000
  }
  say('docs/models.md', `about ${Math.round(envoyTerm('visibleService'))} kB per service and ${n(Number(envoyTerm('visibleEndpoint').toFixed(1)))} kB per endpoint (Envoy's CI memory test)`)
  // "Not drivers": the one source that varied linkerd2-proxy's payload, and the one that states Cilium's identities
  const records = [...models.evidence.values()].flatMap((f) => f.records.map((r) => ({ source: f.source.id, ...r })))
  const payloadSources = [...new Set(records.filter((r) => r.component === 'linkerd-proxy' && r.cpuCores !== undefined && r.setup.payloadBytes !== undefined).map((r) => r.source))]
    .filter((s) => new Set(records.filter((r) => r.source === s && r.component === 'linkerd-proxy').map((r) => r.setup.payloadBytes)).size > 1)
  const payloads = records.filter((r) => r.source === payloadSources[0] && r.component === 'linkerd-proxy' && r.setup.payloadBytes !== undefined && r.cpuCores !== undefined)
  // the rate at which the source varied the body size, its smallest and largest body there
  const variedAt = payloads.find((r) => new Set(payloads.filter((x) => x.setup.requestsPerSecond === r.setup.requestsPerSecond).map((x) => x.setup.payloadBytes)).size > 1)?.setup.requestsPerSecond
  const bySize = payloads.filter((r) => r.setup.requestsPerSecond === variedAt).sort((a, b) => (a.setup.payloadBytes ?? 0) - (b.setup.payloadBytes ?? 0))
  const [smallest, largest] = [bySize[0], bySize.at(-1)]
  if (smallest?.setup.payloadBytes !== 0 || largest === undefined) throw new Error('no empty-body linkerd2-proxy record')
  say('docs/models.md',
    `moved linkerd2-proxy CPU by ${Math.round(100 * ((largest.cpuCores ?? 0) / (smallest.cpuCores ?? 1) - 1))}% between empty and ${n(largest.setup.payloadBytes ?? 0)}-byte bodies at ${Math.round(largest.setup.requestsPerSecond ?? 0)} rps in the ${words(payloadSources.length)} source that varied it (\`${payloadSources.join('`, `')}\`)`)
  const identitySources = [...new Set(records.filter((r) => r.setup.identities !== undefined).map((r) => r.source))]
  say('docs/models.md', `Cilium security identities are stated by ${words(identitySources.length)} source only (\`${identitySources.join('`, `')}\`)`)
  // the fit's and the jackknife's rules (src/engine/fit.ts, jackknife.ts)
  const tail = Math.round((1 - COVERAGE) / 2 * 100)
  say('docs/models.md',
    `only where ${words(ADJUSTMENT_MIN_SOURCES)} or more sources of its own show it`, `the ${tail}th to the ${100 - tail}th percentile`,
    `An engine measured by fewer than ${words(MIN_SOURCES)} sources`, `measured at no more than ${NEAR_IDLE_RPS} requests per second through the replica`,
    `own records come from at least ${words(ADJUSTMENT_MIN_SOURCES)} sources and its engine has records`, `when they come from at least **${words(MIN_SOURCES)} sources**`,
    `has the ${tail}th–${100 - tail}th percentile factors of its own ratios when they come from ${words(MIN_SOURCES)} sources`,
    `The ${Math.round(COVERAGE * 100)}% level and the ${words(MIN_SOURCES)}-source rule`, `whose ratios come from fewer than ${words(MIN_SOURCES)} sources`,
    `additional nodes × node price × ${HOURS_PER_MONTH}`)
  // the node catalogs and price books (models/nodes/, models/pricing/)
  const catalog = (provider: string) => {
    const c = models.nodeCatalogs.get(provider)
    if (c === undefined) throw new Error(`no ${provider} node catalog`)
    return c
  }
  const prices = [...models.nodeCatalogs.values()].flatMap((c) => c.nodeTypes.flatMap((nt) => nt.prices))
  const currencies = [...new Set(prices.map((p) => p.currency))]
  t.equal(currencies.length, 1, 'one currency in every node catalog')
  say('docs/models.md', `| \`currency\` | ISO 4217; every shipped price is ${currencies.join(', ')} |`)
  const lines = file('docs/models.md').split('\n')
  for (const [provider, name] of [['aws', 'AWS'], ['gcp', 'GCP'], ['azure', 'Azure']] as const) {
    const c = catalog(provider)
    const regions = [...new Set(c.nodeTypes.flatMap((nt) => nt.prices.map((p) => p.region)))]
    const asOf = [...new Set(c.nodeTypes.flatMap((nt) => nt.prices.map((p) => p.asOf)))]
    const row = lines.find((l) => l.startsWith(`| ${name} | ${regions[0] ?? ''}`)) ?? ''
    t.ok(row.startsWith(`| ${name} | ${regions.join(', ')} `), `docs/models.md: ${name}'s priced regions are the node catalog's (${regions.join(', ')})`)
    t.same(asOf.length, 1, `${provider}: one price list date`)
    t.ok(row.includes(`| ${asOf[0] ?? ''} (`), `docs/models.md: ${name}'s prices are of ${asOf[0] ?? ''}`)
  }
  const spotDays = /may change them up to once every (\d+) days/.exec(file('models/nodes/gcp.yaml'))?.[1]
  say('docs/models.md', `Google may change them up to once every ${spotDays ?? '(not in models/nodes/gcp.yaml)'} days`)
  const book = (id: string) => {
    const b = models.priceBooks.get(id)
    if (b === undefined) throw new Error(`no price book ${id}`)
    return b
  }
  t.equal(book('gcp-e2-us-central1').asOf, book('gcp-n2-us-central1').asOf)
  say('docs/models.md',
    `\`opencost-default\` ${book('opencost-default').asOf}`, `OpenCost's \`GPU\` ${book('opencost-default').gpuHour ?? '(none)'}`,
    `\`gcp-e2-us-central1\` and \`gcp-n2-us-central1\` ${book('gcp-n2-us-central1').asOf}`, `\`aws-fargate-us-east-1\` ${book('aws-fargate-us-east-1').asOf}`,
    `\`gke-autopilot-us-central1\` ${book('gke-autopilot-us-central1').asOf}`)
  const node = (id: string) => {
    const known = models.nodeTypes.get(id)
    if (known === undefined) throw new Error(`no node type ${id}`)
    return known.nodeType
  }
  const maxPods = (id: string, mode: string) => node(id).maxPods[mode]
  const every = (provider: string, mode: string): number => {
    const values = [...new Set(catalog(provider).nodeTypes.map((nt) => nt.maxPods[mode]))]
    t.equal(values.length, 1, `${provider} ${mode}: the same max pods for every node type`)
    return values[0] ?? NaN
  }
  say('docs/models.md',
    `(r6i.large ${maxPods('aws/r6i.large', 'vpc-cni')}, r6i.xlarge ${maxPods('aws/r6i.xlarge', 'vpc-cni')}, r7g.large ${maxPods('aws/r7g.large', 'vpc-cni')}, g4dn.xlarge ${maxPods('aws/g4dn.xlarge', 'vpc-cni')}, g5.xlarge ${maxPods('aws/g5.xlarge', 'vpc-cni')} …) and the ${every('aws', 'vpc-cni-prefix')} ceiling of prefix delegation`,
    `GKE ${every('gcp', 'gke-standard')} (Standard) and ${every('gcp', 'gke-autopilot')} (Autopilot) for every machine type`,
    `AKS ${every('azure', 'azure-cni-overlay')} / ${every('azure', 'azure-cni')} / ${every('azure', 'kubenet')} per network plugin for every size`)
  const hourly = (id: string, region: string): number => node(id).prices.find((p) => p.region === region)?.hourly ?? NaN
  say('docs/models.md',
    `No difference: ${['m5.large', 'm6i.large', 'm7g.large', 'c6i.large', 'r6i.large', 'g4dn.xlarge', 'g5.xlarge'].map((id) => `${id} ${hourly(`aws/${id}`, 'us-east-1')}`).join(', ')} in both`,
    `D4s_v5 eastus (${hourly('azure/Standard_D4s_v5', 'eastus')})`)
  const opencost = book('opencost-default')
  const n2 = node('gcp/n2-standard-4')
  t.ok(Math.abs(n2.vcpu * opencost.cpuCoreHour + n2.memoryGiB * opencost.memoryGiBHour - hourly('gcp/n2-standard-4', 'us-central1')) < 1e-9, 'n2-standard-4 in us-central1 costs OpenCost\'s default CPU and RAM prices')
  say('docs/models.md', `n2-standard-4 in us-central1 equals ${n2.vcpu} × ${opencost.cpuCoreHour} + ${n2.memoryGiB} × ${opencost.memoryGiBHour}, OpenCost's default CPU and RAM prices`)
  // the Reserved Instance cross-check: its arithmetic, and the figures the node catalog's source records
  for (const m of file('docs/models.md').matchAll(/(\d+(?:\.\d+)?) \/ 730 = (\d+(?:\.\d+)?)/g)) {
    t.equal(Number(m[2]).toFixed(4), (Number(m[1]) / 730).toFixed(4), `docs/models.md: ${m[0]}`)
  }
  for (const figure of ['$19.05', '$13.14', '0.0261', '0.0180']) t.match(file('models/nodes/aws.yaml'), figure, `models/nodes/aws.yaml records the cross-check's ${figure}`)
  // the defects filed as faults (models/evidence/)
  const faults = [...new Set(records.filter((r) => r.fault !== undefined).map((r) => r.source))].sort()
  const filed = /Filed as faults: ([^;]*);/.exec(norm(file('docs/models.md')))?.[1] ?? ''
  t.same([...filed.matchAll(/#(\d+)/g)].map((m) => faults.find((s) => s.endsWith(`-${m[1] as string}`)) ?? `#${m[1] as string}`).sort(), faults, 'docs/models.md names every source filed as a fault, and no other')

  // docs/api.md: the request's limits and defaults (src/schemas/estimate.ts, models/defaults.yaml)
  const loadTest = /\(([\d,]+) services, ([\d,]+) sidecars, ([\d,]+) mesh-wide rps\)/.exec(d.sources['istio-load-test']?.title ?? '')
  const [services, sidecars, meshRps] = (loadTest?.slice(1) ?? []).map((x) => Number(x.replace(/,/g, '')))
  t.equal((meshRps ?? NaN) / (sidecars ?? NaN), rps, 'the default rate is the load test\'s per sidecar')
  t.equal((sidecars ?? NaN) / (services ?? NaN), d.podsPerService.value, 'the default services are the load test\'s ratio')
  const perConnection = (engine: string): string => {
    const term = [...models.meshes.values()].flatMap((m) => m.components).find((c) => c.engine === engine)?.usage.scaling?.find((s) => s.per === 'activeConnection')?.memory
    if (term === undefined) throw new Error(`${engine} has no per-connection memory`)
    return `${n(Number((memoryGiB(term.expected) * 2 ** 30 / 1000).toPrecision(2)))} kB`
  }
  say('docs/api.md',
    `meshed application pods (${keywords(EstimateRequest.properties.pods).minimum} to ${n(LIMITS.pods)})`,
    `| \`traffic.requestsPerSecondPerPod\` | ${rps} |`, `Istio's load-test mesh (${n(meshRps ?? NaN)} rps over ${n(sidecars ?? NaN)} sidecars)`,
    `or \`skewed\`: ${Math.round(skew.podShare * 100)}% of the pods carry ${Math.round(skew.trafficShare * 100)}% of the requests`,
    `| \`traffic.activeConnectionsPerPod\` | ${d.activeConnectionsPerPod.value} |`, `beyond the ${d.activeConnectionsPerPod.value} of the published benchmarks`,
    `(Envoy ${perConnection('envoy')}, linkerd2-proxy ${perConnection('linkerd2-proxy')}, ztunnel ${perConnection('ztunnel')})`,
    `| \`workload.services\` | pods / ${d.podsPerService.value} |`, `(the same load test: ${n(services ?? NaN)} services, ${n(sidecars ?? NaN)} pods)`,
    `| \`workload.podChurnPerMinute\` | ${d.podChurnPerMinute.value} |`, `${d.podChurnPerMinute.value} is the steady state the evidence measured`,
    `| \`workload.servicesVisibleWhenScoped\` | ${d.servicesVisibleWhenScoped.value} |`,
    `| \`workload.podRequests\` | ${n(cpuCores(d.podCpu.value))} core, ${n(memoryGiB(d.podMemory.value))} GiB |`,
    `| \`cluster.nodeType\`, \`cluster.region\`, \`cluster.networkMode\` | \`${d.nodeType.value}\` in \`${d.region.value}\`;`,
    `us-central1 list: ${opencost.cpuCoreHour} USD per vCPU-hour, ${opencost.memoryGiBHour} USD per GiB-hour`,
    `\`monthly\` = hourly × ${HOURS_PER_MONTH}, \`yearly\` = hourly × ${n(HOURS_PER_YEAR)}`, `× \`memoryGiBHour\`) × ${HOURS_PER_MONTH}, to the cent`)
  t.ok(Math.abs(hourly(d.nodeType.value, d.region.value) - (node(d.nodeType.value).vcpu * opencost.cpuCoreHour + node(d.nodeType.value).memoryGiB * opencost.memoryGiBHour)) < 1e-9, 'docs/api.md: the default node costs exactly the default sheet\'s rates')
  for (const [field, description] of [['traffic.hopsPerRequest', keywords(EstimateRequest.properties.traffic.properties.hopsPerRequest).description], ['workload.waypoints', keywords(EstimateRequest.properties.workload.properties.waypoints).description], ['count', keywords(NodePool.properties.count).description]] as const) {
    say('docs/api.md', `| \`${field}\` | ${/\(default (\d+)\)/.exec(description ?? '')?.[1] ?? '(no default in the schema)'} |`)
  }
  const [halved, doubled] = [/const FACTORS = \[([\d.]+),/, /const FACTORS = \[[\d.]+, ([\d.]+)\]/].map((re) => stated('src/engine/sensitivity.ts', re))
  const discount = keywords(EstimateRequest.properties.pricing.properties.discountPercent)
  say('docs/api.md',
    `chart's default × ${halved} and × ${doubled}) is **halved** and **doubled**`,
    `413 for a body over ${DEFAULT_CONFIG.bodyLimitBytes / KiB} KiB`, `\`errors[]\` lists at most ${MAX_LISTED_ERRORS} errors`,
    `the \`detail\` names the first ${words(ERROR_LIMITS.inDetail)}`, `no problem document exceeds ${MAX_PROBLEM_BYTES / KiB} KiB`,
    `headers or a URL over ${maxHeaderSize / KiB} KiB: 431`,
    `a sweep of up to ${n(STREAM_LIMITS.points)} points (\`STREAM_LIMITS\``, `limited to ${n(SWEEP_LIMITS.steps)} points per series and ${n(SWEEP_LIMITS.points)} in all`,
    `\`Cache-Control: public, max-age=${DEFAULT_CONFIG.cacheMaxAgeSeconds}\``,
    `in percent (${discount.minimum} to under ${discount.exclusiveMaximum})`)
  const view = file('test/routes/estimate.view.test.ts')
  t.match(view, 'res.text.length < 8 * 1024 && res.text.length * 5 < fullBytes', 'test/routes/estimate.view.test.ts holds the summary under 8 KiB and a fifth')
  say('docs/api.md', 'under 8 KiB for every shipped mesh and less than a fifth of `view=full`')
  const stream = 'test/encoders/stream.test.ts'
  say('docs/api.md', `(\`${stream}\`: a ${n(stated(stream, /const points = ([\d_]+)/))}-point sweep, over ${stated(stream, /bytes > (\d+) \* 2 \*\* 20/)} MiB sent, the second half of the stream adding under ${stated(stream, /least\('secondHalf'\) < (\d+) \* 2 \*\* 20/)} MiB`)

  // docs/integrations.md: CSV, sweeps and batches, CORS, metrics, the client, Prometheus
  const corsSeconds = stated('src/plugins/cors.ts', /maxAge: ([\d_]+)/)
  const buckets = /buckets: \[([^\]]*)\]/.exec(file('src/plugins/metrics.ts'))?.[1]?.split(',').map(Number) ?? []
  const deployment = parse(file('deploy/kubernetes/deployment.yaml')) as { spec: { template: { spec: { terminationGracePeriodSeconds: number, securityContext: { runAsUser: number }, containers: Array<{ ports: Array<{ name: string, containerPort: number }>, resources: { requests: { cpu: string, memory: string }, limits: { cpu: string, memory: string } } }> } } } }
  const pod = deployment.spec.template.spec
  const container = pod.containers[0]
  if (container === undefined) throw new Error('deploy/kubernetes/deployment.yaml has no container')
  const port = (name: string): number => container.ports.find((p) => p.name === name)?.containerPort ?? NaN
  const rules = parse(file('deploy/prometheus/meshcost-rules.yml')) as { groups: Array<{ rules: Array<{ alert?: string, for?: string }> }> }
  const minutes = (alert: string): number => Number(/^(\d+)m$/.exec(rules.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)?.for ?? '')?.[1])
  const excursion = /values: '\d+x(\d+) \d+x\d+'/.exec(file('deploy/prometheus/meshcost-rules.test.yml'))?.[1]
  say('docs/integrations.md',
    `the exclusive end of that period, ${HOURS_PER_MONTH} hours later`, `the resource's expected quantity times ${HOURS_PER_MONTH} hours`,
    `component rows: \`x_CpuCores\` × ${HOURS_PER_MONTH}`, `component rows: \`x_MemoryGiB\` × ${HOURS_PER_MONTH}`, `on this cluster (${HOURS_PER_MONTH} hours)`,
    `\`steps\` ${keywords(SweepRequest.properties.steps).minimum} to ${n(SWEEP_LIMITS.steps)} per series, and at most ${n(SWEEP_LIMITS.points)} points over all series`,
    `A ${n(SWEEP_LIMITS.steps)}-step sweep of every shipped mesh is ${n(SWEEP_LIMITS.steps)} × meshes points`,
    `with 1 to **${BATCH_LIMITS.scenarios}** \`POST /estimate\` bodies`, `limit, ${DEFAULT_CONFIG.bodyLimitBytes / KiB} KiB by default`, `more than ${BATCH_LIMITS.scenarios} scenarios is a 400`,
    `preflights are cached for ${corsSeconds / 60} minutes`,
    `(histogram, ${(buckets[0] ?? NaN) * 1000} ms to ${buckets.at(-1) ?? NaN} s)`,
    `\`timeoutMs\` (default ${stated('src/client.ts', /options\.timeoutMs \?\? ([\d_]+)/) / 1000} s)`,
    `(\`--timeout MS\`, default ${stated('src/cli.ts', /values\.timeout === undefined \? ([\d_]+)/)})`,
    `such as ${n(BOUNDS.nodeCpuCores.max)} cores a node`, `meshcost reads at most ${MAX_ANSWER_BYTES / MiB} MiB per answer`,
    `every \`CLUSTER_REFRESH_S\` seconds (${DEFAULT_CONFIG.clusterRefreshSeconds} by default`, `over \`CLUSTER_REFRESH_WINDOW\`, \`${DEFAULT_CONFIG.clusterRefreshWindow}\` by default`,
    `on its own port, \`metrics\` (${port('metrics')},`,
    `for ${minutes('MeshcostUsageAboveModel')} minutes: the estimate no longer describes the cluster`, `the refresh has failed for ${minutes('MeshcostClusterRefreshFailing')} minutes`,
    `the usage alert fires after ${minutes('MeshcostUsageAboveModel')} minutes above the high bound and not for a ${excursion ?? '(no excursion in the test)'}-minute excursion; the refresh alert fires after ${minutes('MeshcostClusterRefreshFailing')} minutes of failures`)
  t.equal(DEFAULT_CONFIG.rateLimitWindowMs, 60_000, 'the rate limit\'s window is the minute the docs speak of')

  // docs/operations.md: the deployment, the image, the limits and the drain
  const hpa = parse(file('deploy/kubernetes/hpa.yaml')) as { spec: { minReplicas: number, maxReplicas: number, metrics: Array<{ resource: { target: { averageUtilization: number } } }> } }
  const service = parse(file('deploy/kubernetes/service.yaml')) as { spec: { ports: Array<{ port: number }> } }
  const dockerfile = file('Dockerfile')
  const healthcheck = /HEALTHCHECK [^\n]*--timeout=(\d+)s[\s\S]*?AbortSignal\.timeout\((\d+)\)/.exec(dockerfile)
  const nodeImage = /^FROM node:(\d+)-/m.exec(dockerfile)?.[1]
  const overloadSample = stated('src/plugins/overload.ts', /const SAMPLE_INTERVAL_MS = ([\d_]+)/)
  const rssShare = stated('src/config.ts', /Math\.floor\(([\d.]+) \* bytes/)
  const { version } = JSON.parse(file('package.json')) as { version: string }
  say('docs/operations.md',
    `the API on port ${port('http')} (\`http\`)`, `non-root (uid ${pod.securityContext.runAsUser})`, `\`terminationGracePeriodSeconds: ${pod.terminationGracePeriodSeconds}\``,
    `ClusterIP, port ${service.spec.ports[0]?.port ?? NaN} to \`http\``,
    `namespace \`monitoring\`, port ${/- port: (\d+)\s*$/m.exec(file('deploy/kubernetes/networkpolicy.yaml').split('monitoring').at(-1) ?? '')?.[1] ?? '(none)'}) only`,
    `${hpa.spec.minReplicas} to ${hpa.spec.maxReplicas} replicas on CPU, ${hpa.spec.metrics[0]?.resource.target.averageUtilization ?? NaN} % of the request`,
    `\`meshcost:${version}\``,
    `about ${words(cpuCores(container.resources.limits.cpu))} core at most (the Deployment's limit)`,
    `| \`HOST\` | ${DEFAULT_CONFIG.host} (${/^ENV [^\n]*\bHOST=(\S+)/m.exec(dockerfile)?.[1] ?? '(not set in the Dockerfile)'} in the container image) |`,
    `the autoscaler adds replicas at ${hpa.spec.metrics[0]?.resource.target.averageUtilization ?? NaN} % of the ${container.resources.requests.cpu} request`,
    `against a ${memoryGiB(container.resources.requests.memory) * 1024} MiB request and a ${memoryGiB(container.resources.limits.memory) * 1024} MiB limit; the heap is shed at ${DEFAULT_CONFIG.overloadMaxHeapUsedMiB} MiB`,
    `mean delay over a ${overloadSample} ms sample exceeds \`OVERLOAD_MAX_EVENT_LOOP_DELAY_MS\` (${DEFAULT_CONFIG.overloadMaxEventLoopDelayMs} ms)`,
    `\`OVERLOAD_MAX_HEAP_USED_MIB\` (${DEFAULT_CONFIG.overloadMaxHeapUsedMiB} MiB), new requests get a 503`, `\`Retry-After: ${RETRY_AFTER_SECONDS}\`, before any parsing or work`,
    `Node ${nodeImage ?? '(no node base image)'} (the current LTS)`, `run by \`node\` (uid ${pod.securityContext.runAsUser})`,
    `whose request times out after ${Number(healthcheck?.[2]) / 1000} s, below the check's own ${healthcheck?.[1] ?? NaN} s`,
    `has been silent for ${QUIET_MS / 1000} s`,
    `| \`OVERLOAD_MAX_RSS_MIB\` | ${Math.round(rssShare * 100)} % of the container's memory limit`,
    `| body size (\`BODY_LIMIT_BYTES\`) | ${DEFAULT_CONFIG.bodyLimitBytes / KiB} KiB | 413 problem |`,
    `| ${DEFAULT_CONFIG.requestTimeoutMs / 1000} s to receive a whole request, checked every second |`,
    `| ${n(DEFAULT_CONFIG.rateLimitMax)} a minute;`,
    `| ${DEFAULT_CONFIG.overloadMaxEventLoopDelayMs} ms mean event-loop delay, ${DEFAULT_CONFIG.overloadMaxHeapUsedMiB} MiB heap, ${Math.round(rssShare * 100)} % of the container's memory limit in resident memory;`,
    `| ${DEFAULT_CONFIG.unsentAnswersMaxMiB} MiB reserved by large answers`, `| ${DEFAULT_CONFIG.writeTimeoutMs / 1000} s without taking a byte`,
    `| at most ${MAX_LISTED_ERRORS} errors listed (each once, duplicates dropped), the detail naming the first ${ERROR_LIMITS.inDetail} and "and M more"; every text clipped | at most ${MAX_PROBLEM_BYTES / KiB} KiB whatever the request |`,
    `headers or URL over ${maxHeaderSize / KiB} KiB (431)`,
    `so a client that does not read holds about one ${STREAM_CHUNK_BYTES / KiB} KiB chunk`,
    `numbers (${8 * stated('src/encoders/sweep-text.ts', /const NUMBERS_PER_POINT = (\d+)/)} bytes a point`,
    `(at most every ${stated('src/plugins/unsent.ts', /Date\.now\(\) - lastCollectionMs < ([\d_]+)/) / 1000} s;`,
    `\`test/abuse/slow-readers.test.ts\`, ${stated('test/abuse/slow-readers.test.ts', /const CLIENTS = (\d+)/)} clients that each ask for a maximal JSON sweep (${n(SWEEP_LIMITS.steps)} points`,
    `slices of about ${stated('src/encoders/stream.ts', /const SLICE_MS = (\d+)/)} ms with a turn of the event loop`,
    `no error answer exceeds ${MAX_PROBLEM_BYTES / KiB} KiB`, `a ${maxHeaderSize / KiB} KiB URL or header`,
    `a node's CPU at most ${n(BOUNDS.nodeCpuCores.max)} cores, memory at most ${BOUNDS.nodeMemoryBytes.max / 2 ** 40} TiB`,
    `(\`SHUTDOWN_DELAY_MS\`, ${DEFAULT_CONFIG.shutdownDelayMs / 1000} s)`, `(\`SHUTDOWN_GRACE_MS\`, ${DEFAULT_CONFIG.shutdownGraceMs / 1000} s at most)`,
    `closes once no connection has arrived for ${SETTLE_QUIET_MS / 1000} s and ${words(stated('src/plugins/drain.ts', /const SETTLE_QUIET_TURNS = (\d+)/))} turns of the event loop`,
    `answer pending and has been silent for ${QUIET_MS / 1000} s`, `delay + grace (${(DEFAULT_CONFIG.shutdownDelayMs + DEFAULT_CONFIG.shutdownGraceMs) / 1000} s by default)`,
    `${stated('test/plugins/drain.test.ts', /const ISSUE_REQUESTS = (\d+)/)} estimates on their own connections, at most ${stated('test/plugins/drain.test.ts', /const ISSUE_CONCURRENCY = (\d+)/)} open, SIGTERM ${stated('test/plugins/drain.test.ts', /const ISSUE_SIGNAL_AFTER_MS = (\d+)/)} ms after they start`,
    `(\`RATE_LIMIT_MAX\` requests per \`RATE_LIMIT_WINDOW_MS\`, ${n(DEFAULT_CONFIG.rateLimitMax)} a minute by default)`,
    `\`METRICS_PORT\` (deploy/kubernetes: ${port('metrics')})`,
    `| ${ConfigSchemaRange('prometheusTimeoutMs')}: the deadline of one read of the cluster`,
    `up to ${stated('src/prometheus/client.ts', /const CONNECTIONS = (\d+)/)} keep-alive connections (idle ones closed after ${stated('src/prometheus/client.ts', /const KEEP_ALIVE_MS = ([\d_]+)/) / 1000} s), a connect time-out of \`min(PROMETHEUS_TIMEOUT_MS, ${stated('src/prometheus/client.ts', /const MAX_CONNECT_MS = ([\d_]+)/) / 1000} s)\``,
    `at most ${MAX_ANSWER_BYTES / MiB} MiB per answer, and an abort`)
  const interval = /Math\.min\((\d+), Math\.max\((\d+), Math\.floor\(options\.requestTimeoutMs \/ (\d+)\)\)\)/.exec(file('src/plugins/security.ts'))
  say('docs/operations.md', `checked every \`min(${Number(interval?.[1]) / 1000} s, REQUEST_TIMEOUT_MS / ${interval?.[3] ?? NaN})\` (at least every ${interval?.[2] ?? NaN} ms)`)
  // the answer to a full body of wrong items, measured
  const app = await testApp(t)
  const item = '1'
  const items = Math.floor((DEFAULT_CONFIG.bodyLimitBytes - 64 - '{"pods":1,"meshes":['.length - ']}'.length + 1) / (item.length + 1))
  const res = await app.inject({ method: 'POST', url: '/estimate', payload: `{"pods":1,"meshes":[${Array.from({ length: items }, () => item).join(',')}]}`, headers: { 'content-type': 'application/json' } })
  say('docs/operations.md', `it is now about ${(res.rawPayload.length / 1000).toFixed(1)} KB: ${MAX_LISTED_ERRORS} errors, and a detail naming the first ${words(ERROR_LIMITS.inDetail)}`)

  // more of docs/operations.md: the probes, the drain test's parameters, Node 20 and the dependencies
  const probes = pod.containers[0] as unknown as { livenessProbe: { timeoutSeconds: number } }
  const drain = 'test/plugins/drain.test.ts'
  const engines = (JSON.parse(file('package.json')) as { engines: { node: string } }).engines.node
  // from the lockfile, as npm ci installs them (a nested copy in node_modules/ would not be at the top)
  const locked = (JSON.parse(file('package-lock.json')) as { packages: Record<string, { version: string, engines?: { node?: string } }> }).packages
  const dependency = (name: string): { version: string, engines?: { node?: string } } => {
    const entry = locked[`node_modules/${name}`]
    if (entry === undefined) throw new Error(`package-lock.json has no top-level ${name}`)
    return entry
  }
  const [cookie, disposition] = [dependency('cookie'), dependency('content-disposition')]
  t.equal(cookie.engines?.node, disposition.engines?.node, 'the two dependencies declare the same Node')
  say('docs/operations.md',
    `the liveness probe times out at ${probes.livenessProbe.timeoutSeconds} s`,
    `(${stated(drain, /const CONTINUOUS_CLIENTS = (\d+)/)} keep-alive clients posting back to back`, `${words(stated(drain, /const CONTINUOUS_RUNS = (\d+)/))} runs of ${words(stated(drain, /const CONTINUOUS_RUNS = (\d+)/))}`,
    `(delay ${stated(drain, /const DELAY_MS = ([\d_]+)/) / 1000} s, grace ${stated(drain, /const GRACE_MS = ([\d_]+)/) / 1000} s)`,
    `(\`cookie@${cookie.version.split('.')[0] ?? ''}\`, \`content-disposition@${disposition.version.split('.')[0] ?? ''}\`) declare Node ${(cookie.engines?.node ?? '(none)').replace('>=', '>= ')}, so \`engines\` says \`${engines}\``)
  // more of docs/integrations.md: what a namespace and a window must look like, the Swagger UI's example
  const { KUBERNETES_NAME, WINDOW } = await import('../src/promql-inputs.js')
  const { EstimateRequest: Request } = await import('../src/schemas/estimate.js')
  const windows = ['30s', '15m', '1h', '7d']
  t.ok(windows.every((w) => new RegExp(WINDOW).test(w)), 'the windows docs/integrations.md gives are valid')
  say('docs/integrations.md',
    `(RFC 1123 label, \`${KUBERNETES_NAME}\`)`, `\`window\` is checked the same way (${windows.map((w) => `\`${w}\``).join(', ')})`,
    `\`POST /estimate: 400 Bad Request: /pods must be >= ${keywords(Request.properties.pods).minimum}\``,
    `(\`POST /estimate\`: \`${JSON.stringify((Request as unknown as { examples: unknown[] }).examples[0]).replace(/:/g, ': ')}\`;`)
  const whatif = file('src/prometheus/whatif.ts')
  const before = (metric: string): string => new RegExp(`name: '${metric}',[^\\n]*?(-?\\d+) before the first`).exec(whatif.replace(/\n\s*/g, ' '))?.[1] ?? '(not in src/prometheus/whatif.ts)'
  say('docs/integrations.md',
    `Column names follow [FinOps FOCUS](https://focus.finops.org/) ${/FinOps FOCUS (\d+\.\d+)/.exec(file('src/encoders/csv.ts'))?.[1] ?? '(no version in src/encoders/csv.ts)'}`,
    `how long ago (${before('meshcost_cluster_refresh_last_success_timestamp_seconds')} and ${before('meshcost_cluster_refresh_age_seconds')} before the first)`)
  // docs/models.md's evidence table: each source's date of publication (test/models/evidence.test.ts checks the counts)
  for (const f of models.evidence.values()) {
    const row = lines.find((l) => l.startsWith(`| [${f.source.id}](`))?.split(' | ')
    t.equal(row?.[3], f.source.published, `docs/models.md: ${f.source.id} published ${f.source.published}`)
  }
  // GCP's commitments: every machine type but T2A has them (docs/models.md, docs/api.md)
  const withoutCommitment = catalog('gcp').nodeTypes.filter((nt) => nt.prices.some((p) => p.commitment1YearHourly === undefined || p.commitment3YearHourly === undefined)).map((nt) => nt.id)
  t.same(withoutCommitment.map((id) => /^gcp\/([a-z0-9]+)-/.exec(id)?.[1]).filter((x, i, all) => all.indexOf(x) === i), ['t2a'], 'GCP: only T2A has no committed-use price')
  say('docs/models.md', '`month_1y / 730`, `month_3y / 730` (T2A has none)')
  say('docs/api.md', 'resource-based committed use (T2A: none)')
  // docs/decisions.md (models/decision.yaml, src/engine/recommend.ts, models/meshes/linkerd.yaml)
  const decision = models.decision
  if (decision === undefined) throw new Error('no models/decision.yaml')
  const score = /\{ yes: (\d+), partial: (\d+), no: 0 \}/.exec(file('src/engine/recommend.ts'))
  const steps = (x: number, unit = ''): string => `${words(Math.abs(x))}${unit} ${x < 0 ? 'lower' : 'higher'}`
  const linkerd = models.meshes.get('linkerd')
  say('docs/decisions.md',
    `| Under ${decision.needsMesh.fewServices.below} services and no requirement: probably not |`, `| ${decision.needsMesh.fewServices.below} services or more and no requirement: probably not |`,
    `feature score (${score?.[1] ?? NaN} per yes, ${score?.[2] ?? NaN} per partial)`,
    `${steps(decision.complexity.cniAlreadyRuns.steps, ' steps')} when the mesh is part of the CNI you run, ${steps(decision.complexity.cniReplaced.steps)} when it means replacing your CNI`,
    `an indicative workload of ${d.podsPerService.value} pods per service (the defaults' ratio)`,
    `Linkerd has had circuit breaking since ${linkerd?.features.circuitBreaking.since ?? '(none)'} and local rate limiting since ${linkerd?.features.rateLimiting.since ?? '(none)'}`)
  // README.md: what it runs on and where it serves
  const openapi = (JSON.parse(file('openapi/openapi.json')) as { openapi: string }).openapi.split('.').slice(0, 2).join('.')
  say('README.md',
    `Node.js ${/^>=(\d+)$/.exec(engines)?.[1] ?? engines} or later (${nodeImage ?? ''}, the current LTS, is what the container image runs`,
    `serves on http://${DEFAULT_CONFIG.host}:${DEFAULT_CONFIG.port} with the shipped models`, `documented contract (OpenAPI ${openapi})`)
  say('docs/api.md', `the OpenAPI ${openapi} document`)

  for (const [doc, text] of claims) t.ok(norm(file(doc)).includes(norm(text)), `${doc} says: ${text}`)

  function ConfigSchemaRange (key: string): string {
    const m = new RegExp(`${key}: Type\\.Integer\\(\\{ minimum: ([\\d_]+), maximum: ([\\d_]+)`).exec(file('src/config.ts'))
    return m === null ? `(no range for ${key} in src/config.ts)` : `${Number((m[1] as string).replace(/_/g, ''))} to ${Number((m[2] as string).replace(/_/g, ''))}`
  }
})

/** Text with every run of white space as one space: a sentence may wrap anywhere. */
function norm (text: string): string {
  return text.replace(/\s+/g, ' ')
}

/** The rows of the markdown table under `heading` in `doc`: each row's cells. */
function tableUnder (doc: string, heading: string): string[][] {
  const lines = file(doc).split('\n')
  const start = lines.findIndex((l) => l.startsWith('#') && l.includes(heading))
  if (start < 0) throw new Error(`${doc}: no heading ${heading}`)
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'))
  const rows: string[][] = []
  for (let i = first + 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push((lines[i] as string).split('|').slice(1, -1).map((c) => c.trim()))
  return rows
}
/** The `code` names in a cell. */
const codeNames = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string)

t.test('the body table of docs/api.md and the query table of docs/integrations.md list every field the schemas take', async (t) => {
  const { EstimateRequest } = await import('../src/schemas/estimate.js')
  const { EstimateQuery } = await import('../src/schemas/query.js')
  // the body's fields, nested objects one level down (traffic.requestsPerSecondPerPod); a node pool's own fields are under #node-pools
  const fields: string[] = []
  for (const [key, schema] of Object.entries(EstimateRequest.properties)) {
    const nested = (schema as { properties?: Record<string, unknown> }).properties
    if (nested === undefined) fields.push(key)
    else for (const inner of Object.keys(nested)) fields.push(`${key}.${inner}`)
  }
  const documented = tableUnder('docs/api.md', '`POST /estimate` body').flatMap((row) => codeNames(row[0] ?? ''))
  t.same(fields.filter((f) => !documented.includes(f)), [], 'every body field has its row')
  t.same(documented.filter((f) => !fields.includes(f)), [], 'every row is a body field')
  const parameters = Object.keys(EstimateQuery.properties)
  const listed = tableUnder('docs/integrations.md', 'A URL for dashboards').flatMap((row) => codeNames(row[0] ?? '').filter((name) => /^[a-zA-Z]+$/.test(name)))
  t.same(parameters.filter((p) => !listed.includes(p)), [], 'every query parameter has its row')
  t.same(listed.filter((p) => !parameters.includes(p) && !['json', 'csv', 'component', 'resource', 'full', 'summary'].includes(p)), [], 'every listed name is a query parameter')
})

t.test('the README\'s source tree names every file and folder at the top of src/', async (t) => {
  const tree = /## Development\n\n```\n([\s\S]*?)```/.exec(file('README.md'))?.[1] ?? ''
  t.ok(tree.startsWith('src/'), 'the tree is there')
  for (const entry of readdirSync(join(PACKAGE_ROOT, 'src'), { withFileTypes: true })) {
    const name = entry.isDirectory() ? `${entry.name}/` : entry.name
    t.ok(new RegExp(`(^|[ ,])${name.replace(/[.]/g, '\\.')}(,|\\s)`, 'm').test(tree), `src/${name} is in the tree`)
  }
})
