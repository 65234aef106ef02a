/**
 * Offsets of the starts of consecutive pieces of a text (its lines, a fragment's segments) and the search for the
 * piece holding an offset. No imports: the lowest layer, shared by fragments, the SQL language and the reports.
 */

/** Start offsets of each line of `text` (lines end at `\n`). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The index of the piece holding `offset`: the last of `starts` (ascending, the first 0) at or before it. For
 * `lineStarts`, the 0-based line.
 */
export function lineIndexOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
