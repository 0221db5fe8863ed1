// Standalone entry point: configuration from the environment, JSON logs (pretty on a terminal), graceful shutdown.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { createConfig, type Config } from './config.js'

function loggerOptions (config: Config): object {
  const base = { level: config.logLevel }
  // Pretty output only for a person at a terminal; machines (containers, CI) get one JSON line per event.
  return process.stdout.isTTY ? { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : base
}

async function main (): Promise<void> {
  let config: Config
  try {
    config = createConfig()
  } catch (err) {
    console.error((err as Error).message)
    process.exit(1)
  }
  let app
  try {
    app = await buildApp(config, { logger: loggerOptions(config) })
  } catch (err) {
    console.error(`meshcost cannot start: ${(err as Error).message}`)
    process.exit(1)
  }

  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing: finishing requests in flight')
    await app.close()
  })

  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    app.log.fatal({ err }, `cannot listen on ${config.host}:${config.port}`)
    console.error(`meshcost cannot start: ${(err as Error).message}`)
    process.exit(1)
  }
}

await main()
