// Configuration comes from the environment, parsed once and passed into buildApp.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { DEFAULT_WINDOW, WINDOW } from './promql-inputs.js'

/** The package root: the nearest folder above this file that holds package.json (src/ or dist/src/). */
function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
  return dir
}

export const PACKAGE_ROOT = packageRoot()

export const Config = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  logLevel: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ]),
  modelsDir: Type.String({ minLength: 1 }),
  priceSheetFile: Type.String({ description: 'an OpenCost custom pricing sheet (JSON) whose CPU and RAM prices estimates use when a request names no prices; empty: none' }),
  bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 }),
  requestTimeoutMs: Type.Integer({ minimum: 1000 }),
  shutdownDelayMs: Type.Integer({ minimum: 0, maximum: 120_000 }),
  shutdownGraceMs: Type.Integer({ minimum: 0 }),
  rateLimitMax: Type.Integer({ minimum: 0 }),
  rateLimitWindowMs: Type.Integer({ minimum: 1000, maximum: 24 * 3600 * 1000 }),
  overloadMaxEventLoopDelayMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  overloadMaxHeapUsedMiB: Type.Integer({ minimum: 0 }),
  overloadMaxRssMiB: Type.Integer({ minimum: 0 }),
  unsentAnswersMaxMiB: Type.Integer({ minimum: 0 }),
  writeTimeoutMs: Type.Integer({ minimum: 0, maximum: 600_000 }),
  metricsPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  cacheMaxAgeSeconds: Type.Integer({ minimum: 0, maximum: 365 * 24 * 3600 }),
  trustProxy: Type.String({ pattern: '^\\s*(off|[1-9][0-9]?|[0-9A-Za-z.:/]+(\\s*,\\s*[0-9A-Za-z.:/]+)*)\\s*$', description: 'off, a hop count (1 = the nearest proxy), or a comma list of proxy addresses, CIDR ranges or loopback, linklocal, uniquelocal' }),
  corsOrigins: Type.String({ pattern: '^\\s*(\\*|https?://[^/,\\s]+/?(\\s*,\\s*https?://[^/,\\s]+/?)*)?\\s*$', description: 'empty (CORS off), * (any origin) or a comma list of origins such as https://grafana.example.com' }),
  prometheusUrl: Type.String({ pattern: '^(https?://[^\\s?#]+)?$', description: 'empty (GET /cluster off) or the base URL of a Prometheus HTTP API, such as http://prometheus.monitoring:9090' }),
  prometheusBearerTokenFile: Type.String({ description: 'empty, or a file holding a bearer token for Prometheus, read on each use (Kubernetes rotates projected tokens)' }),
  prometheusTimeoutMs: Type.Integer({ minimum: 100, maximum: 300_000 }),
  clusterRefreshSeconds: Type.Integer({ minimum: 0, maximum: 86_400, description: 'with PROMETHEUS_URL: seconds between re-estimates of the live cluster exported on /metrics; 0 off' }),
  clusterRefreshWindow: Type.String({ pattern: WINDOW, description: 'the range of the measured rates and averages of those re-estimates, a Prometheus duration such as 1h' })
})
export type Config = Static<typeof Config>

export const DEFAULT_CONFIG: Config = {
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  modelsDir: join(PACKAGE_ROOT, 'models'),
  priceSheetFile: '', // none: requests without prices use the node catalog's price or OpenCost's default sheet
  bodyLimitBytes: 64 * 1024, // an estimate request is well under 1 KiB; 64 KiB leaves room for batches of them
  requestTimeoutMs: 30_000,
  // After SIGTERM, Kubernetes removes the pod from Service endpoints and ingresses asynchronously: kube-proxy,
  // ingress controllers and cloud load balancers take a few seconds to stop sending it traffic, so the
  // service keeps serving (readiness already 503) this long before it stops accepting. 5 s covers the usual
  // propagation and, with the grace below, fits Kubernetes' default 30 s terminationGracePeriodSeconds.
  shutdownDelayMs: 5000,
  shutdownGraceMs: 10_000, // after the delay, the longest that requests in flight may take before the process exits anyway
  // Per client address: 3,000 a minute is 50 a second sustained, far above a dashboard or a script's loop
  // (sweeps and batches take many points in one call) and far below what floods the event loop. 0 turns it off.
  rateLimitMax: 3000,
  rateLimitWindowMs: 60_000,
  // GET answers that follow from the models may be reused this long, then revalidated (ETag, 304): the models
  // change only when the service restarts, and five minutes bounds how stale a dashboard can be after a deploy.
  cacheMaxAgeSeconds: 300,
  // Whose X-Forwarded-For to believe, for the client address that rate limiting and logs use: nobody's. Any
  // pod in a cluster can connect from a private address, so trusting private ranges let it forge a fresh
  // rate-limit budget per request; the operator names the ingress's addresses (deploy/kubernetes shows how).
  trustProxy: 'off',
  // Shed load (503 + Retry-After) while the event loop's mean delay is over 500 ms: an estimate takes a few
  // milliseconds, so that is a queue a hundred requests long, and a client waits less for a 503 and a retry
  // elsewhere than for its place in line (bench/overload.ts measures both). Not lower: a CPU limit's
  // throttling (100 ms periods) or a noisy neighbour must not make a healthy replica shed.
  overloadMaxEventLoopDelayMs: 500,
  // ... or while the V8 heap holds more than 384 MiB: under load the process stays below 160 MiB RSS
  // (npm run bench), so this is a leak or a flood of large batches, and it leaves room below the 512 MiB
  // memory limit of deploy/kubernetes for the rest of the process.
  overloadMaxHeapUsedMiB: 384,
  // ... or while the process's resident memory, which the heap does not show (buffers of answers, sockets),
  // is above 90 % of the container's memory limit: shedding before the kernel's OOM kill. Off with no limit.
  overloadMaxRssMiB: rssLimitFromCgroup(),
  // Large answers (JSON sweeps) reserve the memory they hold until their client has read them; past this in
  // all, a new one gets a 503 (plugins/unsent.ts). 64 MiB is ten maximal six-mesh sweeps waiting for slow
  // readers, and with the ~150 MiB a replica uses under load it stays well inside a 512 MiB limit.
  unsentAnswersMaxMiB: 64,
  // A connection whose client has taken none of the bytes waiting for it this long is cut and its memory
  // freed. Any client that reads at all, however slowly, makes progress well within 15 s.
  writeTimeoutMs: 15_000,
  // 0: /metrics is served with the API. A port: /metrics only there, so that the API's Service and ingress
  // do not expose it (deploy/kubernetes uses 9464).
  metricsPort: 0,
  corsOrigins: '', // CORS off: browsers on other origins cannot call the API until an operator names them
  prometheusUrl: '', // GET /cluster and POST /cluster/estimate answer a problem saying how to set it
  prometheusBearerTokenFile: '',
  // Whole answer of one Prometheus read (all its queries), under the 30 s request time-out and Grafana's
  // 30 s default data-source time-out, so a slow Prometheus gets a 504 from us rather than a dropped socket.
  prometheusTimeoutMs: 10_000,
  // With PROMETHEUS_URL set, the live cluster is re-estimated this often and exported on /metrics
  // (meshcost_whatif_*): a cluster's pods, nodes and prices move over hours, and one read is about fifteen
  // aggregated queries, so five minutes keeps dashboards current at a load Prometheus does not notice.
  clusterRefreshSeconds: 300,
  clusterRefreshWindow: DEFAULT_WINDOW // GET /cluster's default: an hour smooths a burst without hiding a trend
}

/**
 * 90 % of the container's memory limit in MiB (cgroup v2 memory.max, or v1 memory.limit_in_bytes), 0 when
 * there is none (no file, "max", or v1's near-2^63 "unlimited").
 */
export function rssLimitFromCgroup (files = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']): number {
  for (const file of files) {
    let text: string
    try { text = readFileSync(file, 'utf8').trim() } catch { continue }
    const bytes = Number(text)
    if (!/^\d+$/.test(text) || bytes >= 2 ** 60) return 0
    return Math.floor(0.9 * bytes / 2 ** 20)
  }
  return 0
}

/** Each environment variable and the setting it sets (docs/operations.md lists them; test/config.test.ts holds the two equal). */
export const ENV: Readonly<Record<string, keyof Config>> = {
  PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'logLevel',
  MODELS_DIR: 'modelsDir',
  PRICE_SHEET_FILE: 'priceSheetFile',
  BODY_LIMIT_BYTES: 'bodyLimitBytes',
  REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  SHUTDOWN_DELAY_MS: 'shutdownDelayMs',
  SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  RATE_LIMIT_MAX: 'rateLimitMax',
  RATE_LIMIT_WINDOW_MS: 'rateLimitWindowMs',
  CACHE_MAX_AGE_S: 'cacheMaxAgeSeconds',
  TRUST_PROXY: 'trustProxy',
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 'overloadMaxEventLoopDelayMs',
  OVERLOAD_MAX_HEAP_USED_MIB: 'overloadMaxHeapUsedMiB',
  OVERLOAD_MAX_RSS_MIB: 'overloadMaxRssMiB',
  UNSENT_ANSWERS_MAX_MIB: 'unsentAnswersMaxMiB',
  WRITE_TIMEOUT_MS: 'writeTimeoutMs',
  METRICS_PORT: 'metricsPort',
  CORS_ORIGINS: 'corsOrigins',
  PROMETHEUS_URL: 'prometheusUrl',
  PROMETHEUS_BEARER_TOKEN_FILE: 'prometheusBearerTokenFile',
  PROMETHEUS_TIMEOUT_MS: 'prometheusTimeoutMs',
  CLUSTER_REFRESH_S: 'clusterRefreshSeconds',
  CLUSTER_REFRESH_WINDOW: 'clusterRefreshWindow'
}

/** Explicit options, then environment variables, then defaults. Throws, naming the variable, on a bad value. */
export function createConfig (env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv: Record<string, unknown> = {}
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    const type = typeof DEFAULT_CONFIG[key]
    fromEnv[key] = type === 'number' && /^-?\d+$/.test(raw)
      ? Number(raw)
      : type === 'boolean' && /^(1|true|0|false)$/.test(raw) ? raw === '1' || raw === 'true' : raw
  }
  const config = { ...DEFAULT_CONFIG, ...fromEnv, ...overrides }
  if (typeof config.modelsDir === 'string') config.modelsDir = resolve(config.modelsDir)
  if (typeof config.priceSheetFile === 'string' && config.priceSheetFile !== '') config.priceSheetFile = resolve(config.priceSheetFile)
  // One line per setting, all of them at once: each is checked on its own, so that one bad value cannot use up
  // the error list that another needs, and a choice among names says which names.
  const names = Object.fromEntries(Object.entries(ENV).map(([name, key]) => [key, name]))
  const lines = Object.entries(Config.properties).flatMap(([key, schema]) => {
    const value = (config as Record<string, unknown>)[key]
    if (Value.Check(schema, value)) return []
    const choices = 'anyOf' in schema ? (schema.anyOf as Array<{ const?: unknown }>).map((s) => s.const) : []
    const rule = choices.length > 0 && choices.every((c) => typeof c === 'string')
      ? `must be one of: ${choices.join(', ')}`
      : [...Value.Errors(schema, value)][0]?.message ?? 'is not valid'
    return [`${names[key] ?? key}=${JSON.stringify(value)}: ${rule}`]
  })
  // The token file's path is not secret, its content is, and it is never read into the message.
  for (const { key, message } of prometheusErrors(config)) lines.push(`${names[key] ?? key}=${JSON.stringify(config[key])}: ${message}`)
  if (lines.length > 0) throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`)
  trustProxyOption(config.trustProxy as string) // throws, naming TRUST_PROXY, on an entry that is no address
  return config as Config
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** TRUST_PROXY as Fastify's trustProxy: false, a hop count, or addresses. Throws on an address that is not one. */
export function trustProxyOption (value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const trimmed = value.trim()
  if (trimmed === 'off') return false
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed)
    return (_address, hop) => hop < hops // proxy-addr's own rule for a hop count
  }
  const entries = trimmed.split(',').map((entry) => entry.trim())
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/')
    const family = isIP(address)
    const maxBits = family === 4 ? 32 : 128
    const valid = PROXY_KEYWORDS.has(entry) || (family !== 0 && rest.length === 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits)))
    if (!valid) throw new Error(`invalid configuration:\n  TRUST_PROXY=${JSON.stringify(value)}: ${JSON.stringify(entry)} is not an address, a CIDR range or one of ${[...PROXY_KEYWORDS].join(', ')}`)
  }
  return entries
}

/** What the schema cannot say: a URL that parses, with no credentials in it, and a token file that can be read. */
function prometheusErrors (config: Partial<Config>): Array<{ key: keyof Config, message: string }> {
  const errors: Array<{ key: keyof Config, message: string }> = []
  const url = config.prometheusUrl
  if (typeof url === 'string' && url !== '') {
    let parsed: URL | undefined
    try { parsed = new URL(url) } catch { errors.push({ key: 'prometheusUrl', message: 'must be a URL such as http://prometheus.monitoring:9090' }) }
    if (parsed !== undefined && (parsed.username !== '' || parsed.password !== '')) {
      errors.push({ key: 'prometheusUrl', message: 'must not hold credentials; put a bearer token in PROMETHEUS_BEARER_TOKEN_FILE' })
    }
  }
  const tokenFile = config.prometheusBearerTokenFile
  if (typeof tokenFile === 'string' && tokenFile !== '') {
    if (url === '') errors.push({ key: 'prometheusBearerTokenFile', message: 'is set but PROMETHEUS_URL is not' })
    try { accessSync(tokenFile, constants.R_OK) } catch { errors.push({ key: 'prometheusBearerTokenFile', message: 'cannot be read' }) }
  }
  return errors
}
