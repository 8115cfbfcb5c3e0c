// Maps a declaration record (keyed by a declared id union) to a record of constructs or values with the
// same keys, keeping the key type: Object.entries/fromEntries alone would widen the keys to string.
export function mapRecord<K extends string, V, R>(
  record: Record<K, V>,
  fn: (value: V, key: K) => R,
): Record<K, R> {
  const entries = (Object.entries(record) as [K, V][]).map(([key, value]) => [key, fn(value, key)]);
  // Safe: entries has exactly the keys of `record`.
  return Object.fromEntries(entries) as Record<K, R>;
}
