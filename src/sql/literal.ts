/**
 * Decoding of PostgreSQL string literal tokens (`'…'`, `E'…'`, `$$…$$`, `$tag$…$tag$`) with a map from every
 * decoded character back to its offset in the token text, so SQL nested in a string keeps exact positions.
 */

export interface DecodedLiteral {
  value: string;
  /** offsets[k] = offset in the token text of decoded character k; offsets[value.length] = closing quote. */
  offsets: number[];
}

export function decodeStringLiteral(token: string): DecodedLiteral | undefined {
  const dollar = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(token);
  if (dollar) {
    const open = dollar[0].length;
    const close = token.length - open;
    if (close < open || token.slice(close) !== dollar[0]) return undefined;
    const offsets: number[] = [];
    for (let i = open; i <= close; i++) offsets.push(i);
    return { value: token.slice(open, close), offsets };
  }
  const escape = /^[eE]'/.test(token);
  if (!escape && !token.startsWith("'")) return undefined;
  const start = escape ? 2 : 1;
  const end = token.length - 1;
  if (token[end] !== "'") return undefined;
  let value = '';
  const offsets: number[] = [];
  for (let i = start; i < end; i++) {
    const c = token[i]!;
    offsets.push(i);
    if (c === "'" && token[i + 1] === "'") {
      value += "'";
      i++;
      continue;
    }
    if (escape && c === '\\') {
      const next = token[i + 1] ?? '';
      const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (next in simple) {
        value += simple[next];
        i++;
      } else if (/[0-7]/.test(next)) {
        const m = /^[0-7]{1,3}/.exec(token.slice(i + 1))![0];
        value += String.fromCharCode(parseInt(m, 8));
        i += m.length;
      } else if (next === 'x' && /[0-9a-fA-F]/.test(token[i + 2] ?? '')) {
        const m = /^[0-9a-fA-F]{1,2}/.exec(token.slice(i + 2))![0];
        value += String.fromCharCode(parseInt(m, 16));
        i += 1 + m.length;
      } else if ((next === 'u' || next === 'U') && /[0-9a-fA-F]/.test(token[i + 2] ?? '')) {
        const digits = next === 'u' ? 4 : 8;
        const m = token.slice(i + 2, i + 2 + digits);
        value += String.fromCodePoint(parseInt(m, 16));
        i += 1 + digits;
      } else {
        value += next;
        i++;
      }
      continue;
    }
    value += c;
  }
  offsets.push(end);
  return { value, offsets };
}
