// The engine's caches of what depends on the model alone (kept while the model object lives).

/** The map of values cached for one owner object, created on first use and dropped with the owner. */
export function cacheOf<O extends object, V> (caches: WeakMap<O, Map<string, V>>, owner: O): Map<string, V> {
  let cache = caches.get(owner)
  if (cache === undefined) {
    cache = new Map()
    caches.set(owner, cache)
  }
  return cache
}
