/**
 * Text being assembled for a fragment, one source index per character. Placeholders (synthetic `$N` params and
 * `"__sd_ident_N"` identifiers) are flagged so the finished fragment records them as opaque.
 */
import { fragmentFromSegments, type FragmentOrigin, type MappedSegment, type SqlFragment } from '../sql/fragment.js';

export class MappedText {
  text = '';
  /** Source index of each character. */
  readonly src: number[] = [];
  /** Whether each character belongs to an opaque placeholder. */
  readonly opaque: boolean[] = [];
  /** Whether a new placeholder starts at this character (keeps adjacent placeholders apart). */
  readonly start: boolean[] = [];
  /** Source index just after the text (the closing delimiter), when known: where an edit at the end goes. */
  endSrc: number | null = null;

  /** Appends text whose characters map to `src[k]`, or all to one source index when `src` is a number. */
  push(text: string, src: number | readonly number[], opaque = false, end?: number): void {
    this.endSrc = end ?? null;
    for (let k = 0; k < text.length; k++) {
      const at = typeof src === 'number' ? src : (src[k] ?? src[src.length - 1] ?? 0);
      this.src.push(at);
      this.opaque.push(opaque);
      this.start.push(opaque && k === 0);
    }
    this.text += text;
  }

  /** Copies character `index` of `other` (with its mapping and flags). */
  copyChar(other: MappedText, index: number): void {
    this.text += other.text[index] ?? '';
    this.src.push(other.src[index] ?? 0);
    this.opaque.push(other.opaque[index] ?? false);
    this.start.push(other.start[index] ?? false);
  }

  toFragment(origin: FragmentOrigin): SqlFragment {
    const segments: MappedSegment[] = [];
    let from = 0;
    const n = this.text.length;
    for (let i = 1; i <= n; i++) {
      const split = i === n || this.start[i] === true || this.opaque[i] !== this.opaque[i - 1];
      if (!split) continue;
      const sourceStart = this.src[from] ?? 0;
      const offsets: number[] = [];
      for (let k = from; k < i; k++) offsets.push((this.src[k] ?? sourceStart) - sourceStart);
      const segment: MappedSegment = { text: this.text.slice(from, i), sourceStart, verbatim: true, offsets };
      if (this.opaque[from]) segment.opaque = true;
      segments.push(segment);
      from = i;
    }
    // An empty last segment pins the end of the text to its real source position (after a trailing `${…}`).
    if (this.endSrc !== null) segments.push({ text: '', sourceStart: this.endSrc, verbatim: true });
    return fragmentFromSegments(segments, origin);
  }
}
