// Every setting refuses a bad value at start-up, naming the environment variable and the rule.
import t from 'tap'
import { createConfig, DEFAULT_CONFIG, rssLimitFromCgroup, type Config } from '../src/config.js'

// One bad value (or more) for every setting, with what the message must say.
const bad: Array<{ variable: string, key: keyof Config, value: string, rule: RegExp }> = [
  { variable: 'PORT', key: 'port', value: '70000', rule: /<= 65535/ },
  { variable: 'PORT', key: 'port', value: 'http', rule: /integer|number/ },
  { variable: 'LOG_LEVEL', key: 'logLevel', value: 'verbose', rule: /must be one of: fatal, error, warn, info, debug, trace, silent/ },
  { variable: 'BODY_LIMIT_BYTES', key: 'bodyLimitBytes', value: '100', rule: />= 1024/ },
  { variable: 'BODY_LIMIT_BYTES', key: 'bodyLimitBytes', value: String(20 * 1024 * 1024), rule: /<= 10485760/ },
  { variable: 'REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', value: '10', rule: />= 1000/ },
  { variable: 'SHUTDOWN_GRACE_MS', key: 'shutdownGraceMs', value: '-5', rule: />= 0/ },
  { variable: 'SHUTDOWN_DELAY_MS', key: 'shutdownDelayMs', value: '-1', rule: />= 0/ },
  { variable: 'SHUTDOWN_DELAY_MS', key: 'shutdownDelayMs', value: '600000', rule: /<= 120000/ },
  { variable: 'RATE_LIMIT_MAX', key: 'rateLimitMax', value: '-1', rule: />= 0/ },
  { variable: 'RATE_LIMIT_WINDOW_MS', key: 'rateLimitWindowMs', value: 'soon', rule: /integer|number/ },
  { variable: 'RATE_LIMIT_WINDOW_MS', key: 'rateLimitWindowMs', value: '10', rule: />= 1000/ },
  { variable: 'CACHE_MAX_AGE_S', key: 'cacheMaxAgeSeconds', value: '-1', rule: />= 0/ },
  { variable: 'CACHE_MAX_AGE_S', key: 'cacheMaxAgeSeconds', value: '5m', rule: /integer|number/ },
  { variable: 'CORS_ORIGINS', key: 'corsOrigins', value: 'grafana.example.com', rule: /pattern/ },
  { variable: 'TRUST_PROXY', key: 'trustProxy', value: 'banana', rule: /is not an address, a CIDR range/ },
  { variable: 'TRUST_PROXY', key: 'trustProxy', value: '-1', rule: /pattern/ },
  { variable: 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', key: 'overloadMaxEventLoopDelayMs', value: '-1', rule: />= 0/ },
  { variable: 'OVERLOAD_MAX_HEAP_USED_MIB', key: 'overloadMaxHeapUsedMiB', value: 'lots', rule: /integer|number/ },
  { variable: 'OVERLOAD_MAX_RSS_MIB', key: 'overloadMaxRssMiB', value: '-5', rule: />= 0/ },
  { variable: 'UNSENT_ANSWERS_MAX_MIB', key: 'unsentAnswersMaxMiB', value: '1.5', rule: /integer|number/ },
  { variable: 'WRITE_TIMEOUT_MS', key: 'writeTimeoutMs', value: '3600000', rule: /<= 600000/ },
  { variable: 'METRICS_PORT', key: 'metricsPort', value: '70000', rule: /<= 65535/ },
  { variable: 'CLUSTER_REFRESH_S', key: 'clusterRefreshSeconds', value: '-1', rule: />= 0/ },
  { variable: 'CLUSTER_REFRESH_WINDOW', key: 'clusterRefreshWindow', value: '1 hour', rule: /pattern/ },
  { variable: 'PROMETHEUS_URL', key: 'prometheusUrl', value: 'prometheus:9090', rule: /pattern/ },
  { variable: 'PROMETHEUS_URL', key: 'prometheusUrl', value: 'http://user:pass@prometheus:9090', rule: /must not hold credentials/ },
  { variable: 'PROMETHEUS_BEARER_TOKEN_FILE', key: 'prometheusBearerTokenFile', value: '/no/such/file', rule: /cannot be read/ },
  { variable: 'PROMETHEUS_TIMEOUT_MS', key: 'prometheusTimeoutMs', value: '10', rule: />= 100/ },
  { variable: 'PROMETHEUS_TIMEOUT_MS', key: 'prometheusTimeoutMs', value: '600000', rule: /<= 300000/ },
  { variable: 'HOST', key: 'host', value: '', rule: /./ }, // empty means "not set": the default applies, see below
  { variable: 'MODELS_DIR', key: 'modelsDir', value: '', rule: /./ },
  { variable: 'PRICE_SHEET_FILE', key: 'priceSheetFile', value: '', rule: /./ } // the file itself is checked at start-up: test/models/price-sheet.test.ts
]

t.test('each bad value stops start-up with the variable named', async (t) => {
  for (const c of bad) {
    if (c.value === '') continue
    t.throws(() => createConfig({ [c.variable]: c.value }), new RegExp(`${c.variable}=.*${c.rule.source}`), `${c.variable}=${c.value}`)
  }
})

t.test('every setting has a bad-value case here', async (t) => {
  const covered = new Set(bad.map((c) => c.key))
  for (const key of Object.keys(DEFAULT_CONFIG)) t.ok(covered.has(key as keyof Config), `${key} has a case`)
})

t.test('an empty variable means unset: the default applies', async (t) => {
  t.same(createConfig({ HOST: '', MODELS_DIR: '', PORT: '' }), DEFAULT_CONFIG)
})

t.test('several bad values are all listed at once', async (t) => {
  t.throws(() => createConfig({ PORT: '-1', RATE_LIMIT_MAX: '-1', LOG_LEVEL: 'loud' }), /PORT=-1[\s\S]*RATE_LIMIT_MAX=-1|RATE_LIMIT_MAX=-1[\s\S]*PORT=-1/)
  try {
    createConfig({ PORT: '-1', RATE_LIMIT_MAX: '-1', LOG_LEVEL: 'loud' })
  } catch (error) {
    const message = (error as Error).message
    for (const name of ['PORT', 'RATE_LIMIT_MAX', 'LOG_LEVEL']) t.match(message, new RegExp(`^  ${name}=`, 'm'), `${name} listed`)
  }
})

t.test('Prometheus: a token file needs a URL; a URL may carry a path prefix; the time-out defaults to 10 s', async (t) => {
  t.throws(() => createConfig({ PROMETHEUS_BEARER_TOKEN_FILE: '/etc/hostname' }), /PROMETHEUS_BEARER_TOKEN_FILE="\/etc\/hostname": is set but PROMETHEUS_URL is not/)
  const config = createConfig({ PROMETHEUS_URL: 'https://prometheus.example.com/prom', PROMETHEUS_BEARER_TOKEN_FILE: '/etc/hostname', PROMETHEUS_TIMEOUT_MS: '2500' })
  t.equal(config.prometheusUrl, 'https://prometheus.example.com/prom')
  t.equal(config.prometheusBearerTokenFile, '/etc/hostname')
  t.equal(config.prometheusTimeoutMs, 2500)
  t.equal(createConfig({}).prometheusTimeoutMs, 10_000)
  t.equal(createConfig({}).prometheusUrl, '', 'off unless set')
})

t.test('OVERLOAD_MAX_RSS_MIB defaults to 90 % of the cgroup memory limit, off without one', async (t) => {
  const dir = t.testdir({ v2: '536870912\n', unlimited: 'max\n', v1: '9223372036854771712\n' })
  t.equal(rssLimitFromCgroup([`${dir}/v2`]), 460, '512 MiB: 460 MiB')
  t.equal(rssLimitFromCgroup([`${dir}/unlimited`]), 0, 'cgroup v2 "max": off')
  t.equal(rssLimitFromCgroup([`${dir}/v1`]), 0, 'cgroup v1 unlimited: off')
  t.equal(rssLimitFromCgroup([`${dir}/none`, `${dir}/v2`]), 460, 'the first file that exists')
  t.equal(rssLimitFromCgroup([`${dir}/none`]), 0, 'no cgroup: off')
})

t.test('docs/operations.md lists every variable, and the numeric defaults it gives are the service\'s', async (t) => {
  const { ENV, PACKAGE_ROOT } = await import('../src/config.js')
  const { readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'operations.md'), 'utf8')
  const rows = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)].filter((m) => (m[1] as string) in ENV || /^[A-Z]+_[A-Z_]+$/.test(m[1] as string))
  const documented = new Set(rows.map((m) => m[1] as string))
  t.same(Object.keys(ENV).filter((name) => !documented.has(name)), [], 'every variable the service reads is documented')
  t.same([...documented].filter((name) => !(name in ENV)), [], 'every documented variable is read')
  for (const [, name, cell] of rows) {
    const key = ENV[name as string] as keyof Config
    const value = DEFAULT_CONFIG[key]
    const shown = /^`?(-?\d[\d,]*(\.\d+)?)`?(\s*\(.*)?$/.exec((cell as string).trim())?.[1] // a bare number, or one with a parenthesis
    if (typeof value === 'number' && shown !== undefined) t.equal(Number(shown.replace(/,/g, '')), value, `${name as string}: the documented default is the service's`)
  }
})
