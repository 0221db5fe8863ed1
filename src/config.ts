// Configuration comes from the environment, parsed once and passed into buildApp.
import { existsSync } from 'node:fs'
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
  corsOrigins: Type.String({ pattern: '^\\s*(\\*|https?://[^/,\\s]+/?(\\s*,\\s*https?://[^/,\\s]+/?)*)?\\s*$', description: 'empty (CORS off), * (any origin) or a comma list of origins such as https://grafana.example.com' })
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
  corsOrigins: '' // CORS off: browsers on other origins cannot call the API until an operator names them
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
  CORS_ORIGINS: 'corsOrigins'
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
  const errors = [...Value.Errors(Config, config)]
  if (errors.length > 0) {
    const names = Object.fromEntries(Object.entries(ENV).map(([name, key]) => [key, name]))
    const lines = errors.map((e) => {
      const key = e.instancePath.slice(1) as keyof Config
      return `${names[key] ?? key}=${JSON.stringify(config[key])}: ${e.message}`
    })
    throw new Error(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`)
  }
  return config as Config
}
