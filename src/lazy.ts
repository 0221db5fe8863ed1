// Route validators and response serialisers compiled when first used, not when the routes are registered:
// compiling all of them was about a third of the start-up time (Ajv and fast-json-stringify). Once the service
// listens, warmCompilers() compiles the rest one per turn of the event loop, so requests go in between.
const pending = new Set<() => unknown>()

/** `compile` runs once, on the first call of the function returned, or in warmCompilers(), whichever is first. */
export function lazily<T> (compile: () => T): () => T {
  let compiled: { value: T } | undefined
  const get = (): T => {
    if (compiled === undefined) {
      compiled = { value: compile() }
      pending.delete(get)
    }
    return compiled.value
  }
  pending.add(get)
  return get
}

/** Compiles what no request has needed yet, one per turn of the event loop. */
export function warmCompilers (): void {
  const next = pending.values().next()
  if (next.done === true) return
  next.value()
  setImmediate(warmCompilers).unref()
}
