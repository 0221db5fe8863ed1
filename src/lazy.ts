// Route validators and response serialisers compiled when first used, not when the routes are registered:
// compiling all of them was about a third of the start-up time (Ajv and fast-json-stringify). The first
// request to a route pays for its own (tens of milliseconds). Compiling the rest in the background once
// listening was tried: each compile holds the event loop, and on a loaded machine that tripped the overload
// guard (plugins/overload.ts), which then answered /readyz and requests with 503.

/** `compile` runs once, on the first call of the function returned. */
export function lazily<T> (compile: () => T): () => T {
  let compiled: { value: T } | undefined
  return (): T => {
    compiled ??= { value: compile() }
    return compiled.value
  }
}
