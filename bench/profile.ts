// npm run bench:profile: where the service's time goes under POST /estimate load. Starts the compiled service
// with --cpu-prof, drives it with the bench's varying bodies (closed loop, 50 connections) for
// BENCH_PROFILE_S (10) seconds, stops it, and summarises the profile V8 wrote: self time by area (engine,
// routes, Fastify, serialisation, validation, logging, plugins, Node's HTTP and GC) and the top functions.
// The .cpuprofile file stays for Chrome DevTools or speedscope.
//
//   npm run bench:profile      (or: npx tsx bench/profile.ts summarise some.cpuprofile [skip-ms])
//   BENCH_PROFILE_PATH='/estimate?view=summary' npm run bench:profile    (another POST path with the same bodies)
import autocannon from 'autocannon'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PACKAGE_ROOT } from '../src/config.js'
import { bodyGenerator } from './bodies.js'

const PATH = process.env.BENCH_PROFILE_PATH ?? '/estimate'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount: number, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

/** Which part of the stack a frame belongs to, from its script's path. */
function areaOf (url: string, name: string): string {
  if (name === '(garbage collector)') return 'garbage collection'
  if (name === '(idle)' || name === '(program)') return name
  if ((url === '' && /^anonymous\d*$/.test(name)) || url.endsWith('/dist/schemas.cjs')) return 'generated code (ajv validators, fast-json-stringify serialisers)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
  if (pkg !== undefined) {
    if (pkg === 'fast-json-stringify') return 'serialisation (fast-json-stringify)'
    if (pkg === 'ajv' || pkg === 'ajv-formats') return 'validation (ajv)'
    if (pkg.startsWith('pino') || pkg === 'sonic-boom' || pkg === 'thread-stream') return 'logging (pino)'
    return `package ${pkg}`
  }
  const own = /\/dist\/src\/(.+)$/.exec(url)?.[1] ?? /\/src\/(.+\.ts)$/.exec(url)?.[1]
  // JSON.stringify's own time is sampled in the function that calls it
  if (own === 'plugins/serialization.ts' || own === 'plugins/serialization.js') return 'serialisation (JSON.stringify of the estimate routes)'
  if (own !== undefined) return own.startsWith('engine/') ? 'engine (src/engine)' : `src/${own.split('/')[0] === own ? own : own.split('/')[0]}`
  if (url.startsWith('node:') || url === '' || url.startsWith('internal')) {
    if (name === 'stringify' || name === 'parse') return `JSON.${name} (V8)`
    return url === '' ? `native/V8 (${name || 'anonymous'})` : `node ${url.replace(/^node:/, '').split('/').slice(0, 2).join('/')}`
  }
  return url
}

// dist/server.js is one esbuild bundle (scripts/bundle.ts): a frame's script is that file for our code and
// every bundled package alike. esbuild heads each module's code with a `// <path>` comment; a frame's line
// number finds its module among them, so that areas are told apart as they were before bundling.
const bundleModules = new Map<string, { lines: number[], paths: string[] }>()

function unbundled (url: string, lineNumber: number): string {
  if (!url.endsWith('/dist/server.js')) return url
  let index = bundleModules.get(url)
  if (index === undefined) {
    index = { lines: [], paths: [] }
    try {
      readFileSync(new URL(url), 'utf8').split('\n').forEach((line, i) => {
        const path = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(line)?.[1]
        if (path !== undefined) { index?.lines.push(i); index?.paths.push(path) }
      })
    } catch {}
    bundleModules.set(url, index)
  }
  let lo = 0
  let hi = index.lines.length - 1
  let found = -1
  while (lo <= hi) { // the last module heading at or above the line
    const mid = (lo + hi) >> 1
    if ((index.lines[mid] as number) <= lineNumber) { found = mid; lo = mid + 1 } else hi = mid - 1
  }
  return found < 0 ? url : url.replace(/dist\/server\.js$/, index.paths[found] as string)
}

/**
 * Self time per function and per area; samples in the first `skipMs` (start-up, warm-up) are left out. With
 * `requests` (answered in the window sampled), each area's time is also given in µs of CPU per request.
 */
export function summarise (file: string, skipMs = 0, top = 25, requests?: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  let elapsedUs = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    elapsedUs += delta
    if (elapsedUs >= skipMs * 1000) selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
  })
  const areas = new Map<string, number>()
  const functions = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { functionName, lineNumber } = node.callFrame
    const url = unbundled(node.callFrame.url, lineNumber)
    const area = areaOf(url, functionName)
    if (area === '(idle)') continue
    total += us
    areas.set(area, (areas.get(area) ?? 0) + us)
    const short = (u: string): string => u.replace(/^file:\/\/.*?\/(node_modules|dist|src)\//, '$1/')
    const where = url === '' ? '' : url === node.callFrame.url ? ` ${short(url)}:${lineNumber + 1}` : ` ${short(url)} (${short(node.callFrame.url)}:${lineNumber + 1})`
    const key = `${functionName || '(anonymous)'}${where}`
    functions.set(key, (functions.get(key) ?? 0) + us)
  }
  const perRequest = (us: number): string => (requests === undefined ? '' : `  ${(us / requests).toFixed(1).padStart(6)} µs/request`)
  const pct = (us: number): string => `${(100 * us / total).toFixed(1).padStart(5)} %${perRequest(us)}`
  const lines = [`busy (non-idle) CPU time sampled: ${(total / 1e6).toFixed(2)} s${requests === undefined ? '' : `, ${(total / requests).toFixed(0)} µs per request`}`, '', 'self time by area:']
  for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${pct(us)}  ${area}`)
  lines.push('', `top ${top} functions by self time:`)
  for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${fn}`)
  return lines
}

async function main (): Promise<void> {
  if (process.argv[2] === 'summarise' && process.argv[3] !== undefined) {
    for (const line of summarise(process.argv[3], Number(process.argv[4] ?? 0))) console.log(line)
    return
  }
  const seconds = Number(process.env.BENCH_PROFILE_S ?? 10)
  spawnSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' })
  const dir = mkdtempSync(join(tmpdir(), 'meshcost-profile-'))
  const t0 = performance.now()
  // The unbundled build (tsc's dist/src/server.js; the same code as npm start's bundle, dist/server.js), so
  // that every frame keeps the file it came from and the areas below can be told apart.
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, join(PACKAGE_ROOT, 'dist', 'src', 'server.js')], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_MAX: String(1e9) },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    child.once('exit', () => reject(new Error('the service exited')))
  })
  child.stdout?.resume() // keep the log flowing; its lines are part of the cost
  const next = bodyGenerator(5)
  const post = { method: 'POST' as const, path: PATH, headers: { 'content-type': 'application/json' }, setupRequest: (req: object) => ({ ...req, body: JSON.stringify(next()) }) }
  await autocannon({ url, connections: 50, duration: 2, requests: [post] }) // warm-up, left out of the summary
  const skipMs = performance.now() - t0
  const result = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    requests: [post]
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  await sleep(100)
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no profile written in ${dir}`)
  console.log(`POST ${PATH}, varying bodies, 50 connections, ${seconds} s: ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests`)
  console.log(`profile: ${join(dir, file)} (start-up and the 2 s warm-up, the first ${Math.round(skipMs)} ms, left out)\n`)
  for (const line of summarise(join(dir, file), skipMs, 25, result.requests.total)) console.log(line)
}

await main()
