/**
 * Decodes the body of a JS string literal or template quasi (the characters between the delimiters) into its
 * cooked value, remembering for every cooked character the index in the body it came from.
 */
export interface DecodedString {
  text: string;
  /** Body index of each character of `text`. */
  offsets: number[];
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/** Returns null for escapes it does not understand (legacy octal, malformed `\x`/`\u`). */
export function decodeJsString(body: string, template: boolean): DecodedString | null {
  // the common case: nothing to decode (no escape, no CR to normalise), each character its own
  if (!body.includes('\\') && !(template && body.includes('\r'))) {
    const offsets = new Array<number>(body.length);
    for (let k = 0; k < body.length; k++) offsets[k] = k;
    return { text: body, offsets };
  }
  let text = '';
  const offsets: number[] = [];
  const emit = (chars: string, at: number): void => {
    text += chars;
    for (let k = 0; k < chars.length; k++) offsets.push(at);
  };
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch !== '\\') {
      if (template && ch === '\r') {
        // template values normalise CRLF and CR to LF
        emit('\n', i);
        i += body[i + 1] === '\n' ? 2 : 1;
        continue;
      }
      emit(ch, i);
      i++;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return null;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      emit(simple, i);
      i += 2;
    } else if (next === '0' && /[0-9]/.test(body[i + 2] ?? '')) {
      return null; // legacy octal: a syntax error in strict code, no cooked value in a template
    } else if (next === '0') {
      emit('\0', i);
      i += 2;
    } else if (/[1-9]/.test(next)) {
      return null;
    } else if (next === 'x') {
      const hex = body.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      emit(String.fromCharCode(parseInt(hex, 16)), i);
      i += 4;
    } else if (next === 'u') {
      if (body[i + 2] === '{') {
        const close = body.indexOf('}', i + 3);
        const hex = close < 0 ? '' : body.slice(i + 3, close);
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return null;
        emit(String.fromCodePoint(parseInt(hex, 16)), i);
        i = close + 1;
      } else {
        const hex = body.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return null;
        emit(String.fromCharCode(parseInt(hex, 16)), i);
        i += 6;
      }
    } else if (next === '\r') {
      i += body[i + 2] === '\n' ? 3 : 2; // line continuation
    } else if (next === '\n' || next === '\u2028' || next === '\u2029') {
      i += 2;
    } else {
      emit(next, i); // \' \" \\ \` \$ \{ and identity escapes
      i += 2;
    }
  }
  return { text, offsets };
}

/**
 * A template quasi's raw value (what a tag sees in `strings.raw`, and the only value when an escape is invalid:
 * `\1`, `\8`, `\x`, `\00`): the body as written, with CRLF and CR read as LF, mapped character by character.
 */
export function rawTemplateText(body: string): DecodedString {
  let text = '';
  const offsets: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    text += ch === '\r' ? '\n' : ch;
    offsets.push(i);
    if (ch === '\r' && body[i + 1] === '\n') i++;
  }
  return { text, offsets };
}
