// A real Prometheus (Debian's package) for a test file: its own loopback port, storage in a temporary folder,
// a 1 s scrape of the fixture exporter; ready once enough scrapes have landed for rate() over the test window.
// On request, an hour (or more) of the cluster's past written beforehand with promtool, so that a window as long
// as a real cluster's (1h) has samples from its first second.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, constants, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import type { Test } from 'tap'
import { sampleValue } from '../../src/prometheus/client.js'
import { exposition, serveFixture, type FixtureCluster } from './fixture.js'

/** The window the tests measure over: short, so that a fresh Prometheus already covers it with samples. */
export const TEST_WINDOW = '10s'
/** Samples of each series before the tests start: the window's worth at 1 s, and some. */
const SAMPLES_NEEDED = 12

type Tap = Pick<Test, 'teardown' | 'fail' | 'skip' | 'comment'>

/** The prometheus binary: PROMETHEUS_BIN, else the first on PATH, else undefined. */
export function prometheusBinary (): string | undefined {
  const candidates = [process.env.PROMETHEUS_BIN, ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'prometheus')), '/usr/bin/prometheus']
  for (const file of candidates) {
    if (file === undefined || file === '' || file === 'prometheus') continue
    try { accessSync(file, constants.X_OK); return file } catch {}
  }
  return undefined
}

/** Under CI a missing Prometheus fails the file; on a developer's machine it skips, saying how to install it. */
export function requirePrometheus (t: Tap): string | undefined {
  const bin = prometheusBinary()
  if (bin !== undefined) return bin
  const how = 'no prometheus binary on PATH (or PROMETHEUS_BIN): apt-get install prometheus (.ci/run does)'
  if (process.env.CI === 'true') t.fail(how)
  else t.skip(how, () => {})
  return undefined
}

/** promtool, which Debian's prometheus package installs beside prometheus: PROMTOOL_BIN, else the one beside `prometheus`. */
export function requirePromtool (t: Tap, prometheus: string): string | undefined {
  for (const file of [process.env.PROMTOOL_BIN, join(dirname(prometheus), 'promtool')]) {
    if (file === undefined || file === '') continue
    try { accessSync(file, constants.X_OK); return file } catch {}
  }
  const how = `no promtool beside ${prometheus} (or PROMTOOL_BIN): Debian's prometheus package has it`
  if (process.env.CI === 'true') t.fail(how)
  else t.skip(how, () => {})
  return undefined
}

/** Seconds between the samples of a written history: coarser than the live 1 s scrapes, to keep the file small. */
const HISTORY_STEP_SECONDS = 10

/**
 * The cluster's exposition from `origin` (its counters' zero) to `until`, every HISTORY_STEP_SECONDS, written as TSDB
 * blocks into `out` by `promtool tsdb create-blocks-from openmetrics`. Each series' samples in time order, as
 * OpenMetrics wants them, without the families' HELP and TYPE (rate() needs neither).
 */
function writeHistory (promtool: string, cluster: FixtureCluster, origin: number, until: number, target: string, dir: string, out: string): void {
  const series = new Map<string, string[]>()
  // the labels the scrape adds where the exporter sets none (honor_labels), so that the live samples continue these series
  const scraped = (name: string): string => [['job', 'fixture'], ['instance', target]]
    .filter(([label]) => !new RegExp(`[{,]${label ?? ''}="`).test(name)).map(([label, value]) => `${label ?? ''}="${value ?? ''}"`).join(',')
  for (let at = origin; at < until; at += HISTORY_STEP_SECONDS * 1000) {
    for (const line of exposition(cluster, (at - origin) / 1000).split('\n')) {
      if (line === '' || line.startsWith('#')) continue
      const space = line.lastIndexOf(' ')
      const name = line.slice(0, space)
      const added = scraped(name)
      const key = added === '' ? name : name.replace(/\}$/, `${name.endsWith('{}') ? '' : ','}${added}}`)
      const samples = series.get(key) ?? []
      samples.push(`${key} ${line.slice(space + 1)} ${(at / 1000).toFixed(3)}`)
      series.set(key, samples)
    }
  }
  const file = join(dir, 'history.om')
  writeFileSync(file, [...series.values()].flat().join('\n') + '\n# EOF\n')
  const run = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, out], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`promtool could not write the history:\n${run.stdout}${run.stderr}`)
  rmSync(file)
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function instantValue (url: string, query: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`)
    const body = await res.json() as { data?: { result?: Array<{ value: [number, string] }> } }
    const value = body.data?.result?.[0]?.value[1]
    return value === undefined ? undefined : Number(value)
  } catch {
    return undefined
  }
}

/**
 * Waits until Prometheus answers `expected` (NaN and ±Inf included, as the service parses them) as the value of
 * the first series of `query`: after a test changes the fixture, its next scrape has landed. Resolves to whether it did.
 */
export async function untilSample (url: string, query: string, expected: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`)
      const body = await res.json() as { data?: { result?: Array<{ value: [number, string] }> } }
      const value = body.data?.result?.[0]?.value[1]
      if (value !== undefined && Object.is(sampleValue(value), expected)) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

export interface RunningPrometheus { url: string, version: string }

/**
 * Starts the exporter and Prometheus; both stop in the test's teardown. `alsoScrape`: more targets
 * (host:port, /metrics), in job "meshcost", such as the service's own metrics port. `history`: Prometheus starts
 * with that many seconds (and a minute more) of the cluster's past, written by promtool, which the exporter's
 * counters then continue.
 */
export async function startPrometheus (t: Tap, bin: string, cluster: FixtureCluster, alsoScrape: string[] = [], history?: { seconds: number, promtool: string }): Promise<RunningPrometheus> {
  const now = Date.now()
  const origin = history === undefined ? now : now - (history.seconds + 60) * 1000
  const dir = mkdtempSync(join(tmpdir(), 'meshcost-prometheus-'))
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true })
  process.once('exit', removeDir) // also when promtool or Prometheus fails before any teardown can run
  t.teardown(() => { process.off('exit', removeDir); removeDir() })
  const { server, target } = await serveFixture(cluster, origin)
  // Prometheus holds keep-alive connections to the exporter: drop them, or close() waits for them.
  t.teardown(() => new Promise((resolve) => { server.close(resolve); server.closeAllConnections() }))
  if (history !== undefined) writeHistory(history.promtool, cluster, origin, now, target, dir, join(dir, 'history'))
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: fixture',
    '    honor_labels: true', // the exporter's namespace, pod and instance labels are the cluster's, keep them
    '    static_configs:',
    `      - targets: ['${target}']`,
    ...(alsoScrape.length === 0 ? [] : ['  - job_name: meshcost', '    static_configs:', `      - targets: [${alsoScrape.map((a) => `'${a}'`).join(', ')}]`]),
    ''
  ].join('\n'))

  let child: ChildProcess | undefined
  let url = ''
  let log = ''
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    const port = await freePort() // another process may take it before Prometheus binds: then try another
    url = `http://127.0.0.1:${port}`
    if (history !== undefined) cpSync(join(dir, 'history'), join(dir, `data-${attempt}`), { recursive: true })
    const proc = spawn(bin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, `data-${attempt}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn'
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    proc.stderr?.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000) })
    const exited = new Promise<boolean>((resolve) => proc.once('exit', () => resolve(true)))
    const ready = (async () => {
      for (let i = 0; i < 150; i++) {
        try { if ((await fetch(`${url}/-/ready`)).ok) return false } catch {}
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return true
    })()
    const failed = await Promise.race([exited, ready])
    if (failed) proc.kill('SIGKILL')
    else child = proc
  }
  if (child === undefined) throw new Error(`prometheus did not start:\n${log}`)
  const running = child
  // Teardown stops it; these make sure it never outlives the test process, and never keeps it alive.
  const killOnExit = () => running.kill('SIGKILL')
  process.once('exit', killOnExit)
  running.unref()
  ;(running.stderr as unknown as { unref?: () => void } | null)?.unref?.()
  t.teardown(async () => {
    process.off('exit', killOnExit)
    if (running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  })

  // Ready once every series has enough samples for rate() over TEST_WINDOW.
  const deadline = Date.now() + 60_000
  while ((await instantValue(url, 'count_over_time(up{job="fixture"}[1m])') ?? 0) < SAMPLES_NEEDED) {
    if (Date.now() > deadline) throw new Error(`prometheus did not scrape the fixture within 60 s:\n${log}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const info = await (await fetch(`${url}/api/v1/status/buildinfo`)).json() as { data?: { version?: string } }
  return { url, version: info.data?.version ?? 'unknown' }
}

/**
 * Waits until Prometheus has just scraped the fixture. rate() extrapolates to the end of its window only when
 * the last sample is recent (within 1.1 scrape intervals); on a loaded machine a late scrape would make it
 * under-report, so tests that check rates read right after a scrape.
 */
export async function freshScrape (url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    // every scrape in the window succeeded (a slow exporter on a loaded machine fails some), the last one just now
    const ok = await instantValue(url, `min_over_time(up{job="fixture"}[${TEST_WINDOW}]) == 1 and count_over_time(up{job="fixture"}[${TEST_WINDOW}]) >= 9 and (time() - timestamp(up{job="fixture"})) < 0.4`)
    if (ok !== undefined) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
