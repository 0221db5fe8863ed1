// The engine's caches of what depends on the model alone (kept while the model object lives).

/**
 * The value cached for `owner`, computed on first use and dropped with the owner. `compute` should be a
 * module-level function, not a closure made per call: the hot paths call this for every component of every estimate.
 */
export function memoized<O extends object, V> (cache: WeakMap<O, V>, owner: O, compute: (owner: O) => V): V {
  let value = cache.get(owner)
  if (value === undefined) {
    value = compute(owner)
    cache.set(owner, value)
  }
  return value
}

const newMap = <V>(): Map<string, V> => new Map()

/** The map of values cached for one owner object, created on first use and dropped with the owner. */
export const cacheOf = <O extends object, V> (caches: WeakMap<O, Map<string, V>>, owner: O): Map<string, V> => memoized(caches, owner, newMap<V>)
