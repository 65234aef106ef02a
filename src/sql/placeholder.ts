/**
 * The opaque-placeholder protocol, in one place. A front end that cannot see into a piece of code writes a
 * placeholder the parser accepts and records its index in the fragment's `opaque` set:
 *
 * - a value it cannot see becomes a parameter `$N`;
 * - a name it cannot see (an interpolated table, a `??` binding) becomes the quoted identifier `"__sd_ident_N"`.
 *
 * A predicate that is only such a placeholder makes the verdict "unknown"; a relation named by one is unknown.
 */

/** Numbers handed out so far in one fragment (the next param is `param + 1`). */
export interface PlaceholderCounter {
  param: number;
  ident: number;
}

const IDENT_PREFIX = '__sd_ident_';

/** Matches the name of an opaque identifier placeholder anywhere in a string. */
export const OPAQUE_IDENT = /__sd_ident_\d+/;

export function nextParam(counter: PlaceholderCounter): string {
  counter.param += 1;
  return `$${counter.param}`;
}

export function nextIdent(counter: PlaceholderCounter): string {
  counter.ident += 1;
  return `"${IDENT_PREFIX}${counter.ident}"`;
}

/** Is this SQL text (a rendered relation or column) an opaque identifier placeholder? */
export function isOpaqueIdentText(text: string): boolean {
  return text.startsWith(`"${IDENT_PREFIX}`);
}

/** A stand-in of the same kind, for text that is only looked at (never parsed as the final fragment). */
export const STAND_IN = { param: '$0', ident: `"${IDENT_PREFIX}0"` } as const;
