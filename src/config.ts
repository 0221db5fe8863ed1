// Configuration comes from the environment, parsed once and passed into buildApp.
import { accessSync, constants, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'

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
  bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 }),
  requestTimeoutMs: Type.Integer({ minimum: 1000 }),
  shutdownGraceMs: Type.Integer({ minimum: 0 }),
  rateLimitMax: Type.Integer({ minimum: 0 }),
  rateLimitWindowMs: Type.Integer({ minimum: 1000, maximum: 24 * 3600 * 1000 }),
  corsOrigins: Type.String({ pattern: '^\\s*(\\*|https?://[^/,\\s]+/?(\\s*,\\s*https?://[^/,\\s]+/?)*)?\\s*$', description: 'empty (CORS off), * (any origin) or a comma list of origins such as https://grafana.example.com' }),
  prometheusUrl: Type.String({ pattern: '^(https?://[^\\s?#]+)?$', description: 'empty (GET /cluster off) or the base URL of a Prometheus HTTP API, such as http://prometheus.monitoring:9090' }),
  prometheusBearerTokenFile: Type.String({ description: 'empty, or a file holding a bearer token for Prometheus, read on each use (Kubernetes rotates projected tokens)' }),
  prometheusTimeoutMs: Type.Integer({ minimum: 100, maximum: 300_000 })
})
export type Config = Static<typeof Config>

export const DEFAULT_CONFIG: Config = {
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  modelsDir: join(PACKAGE_ROOT, 'models'),
  bodyLimitBytes: 64 * 1024, // an estimate request is well under 1 KiB; 64 KiB leaves room for batches of them
  requestTimeoutMs: 30_000,
  shutdownGraceMs: 10_000, // longer than a load balancer's usual drain, shorter than Kubernetes' 30 s grace period
  // Per client address: 3,000 a minute is 50 a second sustained, far above a dashboard or a script's loop
  // (sweeps and batches take many points in one call) and far below what floods the event loop. 0 turns it off.
  rateLimitMax: 3000,
  rateLimitWindowMs: 60_000,
  corsOrigins: '', // CORS off: browsers on other origins cannot call the API until an operator names them
  prometheusUrl: '', // GET /cluster and POST /cluster/estimate answer a problem saying how to set it
  prometheusBearerTokenFile: '',
  // Whole answer of one Prometheus read (all its queries), under the 30 s request time-out and Grafana's
  // 30 s default data-source time-out, so a slow Prometheus gets a 504 from us rather than a dropped socket.
  prometheusTimeoutMs: 10_000
}

const ENV: Record<string, keyof Config> = {
  PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'logLevel',
  MODELS_DIR: 'modelsDir',
  BODY_LIMIT_BYTES: 'bodyLimitBytes',
  REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  RATE_LIMIT_MAX: 'rateLimitMax',
  RATE_LIMIT_WINDOW_MS: 'rateLimitWindowMs',
  CORS_ORIGINS: 'corsOrigins',
  PROMETHEUS_URL: 'prometheusUrl',
  PROMETHEUS_BEARER_TOKEN_FILE: 'prometheusBearerTokenFile',
  PROMETHEUS_TIMEOUT_MS: 'prometheusTimeoutMs'
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
  const errors: Array<{ key: keyof Config, message: string }> = [...Value.Errors(Config, config)]
    .map((e) => ({ key: e.instancePath.slice(1) as keyof Config, message: e.message }))
  errors.push(...prometheusErrors(config))
  if (errors.length > 0) {
    const names = Object.fromEntries(Object.entries(ENV).map(([name, key]) => [key, name]))
    const lines = errors.map(({ key, message }) => {
      // The token file's path is not secret, its content is, and it is never read into the message.
      return `${names[key] ?? key}=${JSON.stringify(config[key])}: ${message}`
    })
    throw new Error(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`)
  }
  return config as Config
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
