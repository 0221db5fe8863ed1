// Standalone entry point: configuration from the environment, JSON logs (pretty on a terminal), and the
// shutdown Kubernetes expects (see plugins/drain.ts).
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { createConfig, type Config } from './config.js'
import { loggerOptions } from './logging.js'

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
    app = await buildApp(config, { logger: loggerOptions(config, { pretty: process.stdout.isTTY }) })
  } catch (err) {
    console.error(`meshcost cannot start: ${(err as Error).message}`)
    process.exit(1)
  }

  // SIGTERM (Kubernetes, a container runtime): readiness 503 at once, keep serving for SHUTDOWN_DELAY_MS
  // while the endpoint is removed everywhere, then stop accepting (once connections stop arriving, at most
  // half the grace period later: plugins/drain.ts) and finish what is in flight.
  // SIGINT (Ctrl-C at a terminal): no delay. Whatever happens, the process exits once the delay and
  // SHUTDOWN_GRACE_MS have passed (exit 1 then); a second signal ends it at once.
  const log = app.log
  closeWithGrace({
    delay: config.shutdownDelayMs + config.shutdownGraceMs,
    logger: { error: (message: unknown) => { log.error(String(message)) } }
  }, async ({ signal, err }) => {
    app.beginShutdown()
    if (err !== undefined) {
      log.error({ err }, 'closing after an error')
    } else if (signal === 'SIGTERM' && config.shutdownDelayMs > 0) {
      log.info({ signal, delayMs: config.shutdownDelayMs }, 'shutting down: not ready, still serving while load balancers catch up')
      await sleep(config.shutdownDelayMs)
    }
    await app.settle(config.shutdownGraceMs / 2)
    log.info({ signal }, 'closing: no new connections, finishing requests in flight')
    await app.close()
    log.info('closed')
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
