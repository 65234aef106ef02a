/**
 * The plugin never crashes ESLint: a few catch-alls turn an unforeseen failure into silence or a message. Under
 * `SOFT_DELETE_STRICT=1` (the robustness and property-based tests set it) they rethrow instead, so a test fails
 * when code under it throws.
 */
export function rethrowWhenStrict(error: unknown): void {
  if (process.env.SOFT_DELETE_STRICT === '1') throw error;
}
