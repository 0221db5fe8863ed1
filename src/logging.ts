// Logger options for the service: pino, one JSON line per event (pretty at a terminal), with credentials
// kept out of every line. Headers are redacted by path wherever a line carries them; secret values (a
// configured token, a token read from a file) are replaced wherever they appear, e.g. quoted in an
// upstream's error message, by a hook on the finished line.
import type { FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'

export const REDACTED = '[Redacted]'

/** Credential-bearing headers, wherever a log line holds a request, a response or bare headers. */
export const REDACT_PATHS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']
  .flatMap((header) => {
    const key = /^[a-z]+$/.test(header) ? `.${header}` : `["${header}"]`
    return [`req.headers${key}`, `res.headers${key}`, `headers${key}`, `request.headers${key}`, `*.headers${key}`]
  })

const secrets = new Set<string>()

/** Redacts this value from every log line from now on (values under 8 characters would redact too much). */
export function registerSecret (value: string): void {
  const trimmed = value.trim()
  if (trimmed.length < 8) return
  secrets.add(trimmed)
  secrets.add(JSON.stringify(trimmed).slice(1, -1)) // as it appears inside a JSON string
}

/** Configuration values named as secrets (…Token, …Secret, …Password) are redacted from the start. */
function registerConfiguredSecrets (config: Partial<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(config)) {
    if (/(token|secret|password)$/i.test(key) && typeof value === 'string') registerSecret(value)
  }
}

function withoutSecrets (line: string): string {
  if (secrets.size === 0) return line
  let out = line
  for (const secret of secrets) out = out.replaceAll(secret, REDACTED)
  return out
}

export function loggerOptions (config: Config, options: { pretty?: boolean } = {}): FastifyServerOptions['logger'] & object {
  registerConfiguredSecrets(config)
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: withoutSecrets },
    // Pretty output only for a person at a terminal; machines (containers, CI) get one JSON line per event.
    ...(options.pretty === true ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
