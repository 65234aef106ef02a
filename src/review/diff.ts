/**
 * Changed lines of a pull request, from `git diff -U0` output. Pure: text in, line ranges out.
 */

/** An inclusive range of 1-based line numbers in the new version of a file. */
export type LineRange = [start: number, end: number];

/** Undoes git's C-style quoting of a path (`"a\"b\303\251"`); unquoted paths are returned as they are. */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const body = raw.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '"': '"', '\\': '\\' };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(octal, 8));
      i += octal.length;
    } else {
      bytes.push(...Buffer.from(simple[next] ?? next, 'utf8'));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path of a `+++ b/path` / `rename to path` value: unquoted, without git's `b/` prefix or trailing tab. */
function pathOf(value: string, prefix: string): string | null {
  let v = value.replace(/\t$/, '');
  if (v === '/dev/null') return null;
  v = unquoteGitPath(v);
  return prefix && v.startsWith(prefix) ? v.slice(prefix.length) : v;
}

/**
 * Parses unified diff text (as printed by `git diff -U0 --src-prefix=a/ --dst-prefix=b/`) into the changed line
 * ranges of each file's new version, keyed by its new path (so a renamed file appears under its new name).
 *
 * - An added or modified run of lines `@@ -a,b +c,d @@` gives `[c, c + d - 1]`.
 * - A hunk that only deletes lines (`+c,0`) gives the two lines on either side of the deletion, `[c, c + 1]`
 *   (`[1, 1]` at the top of the file): removing `AND deleted_at IS NULL` from the line under a table reference
 *   makes that neighbourhood worth a look, and GitHub shows those lines as context, so they can carry a comment.
 * - A file with no hunks (a pure rename, a mode change, a binary file) appears with an empty array.
 * - Deleted files (`+++ /dev/null`) do not appear.
 */
export function parseUnifiedDiff(text: string): Map<string, LineRange[]> {
  const files = new Map<string, LineRange[]>();
  let current: LineRange[] | null = null;
  let renamedTo: string | null = null;
  let deleted = false;
  // Lines still expected in the current hunk's body, old and new side: a removed SQL comment `-- x` shows as
  // `--- x` and must not be taken for a file header.
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of text.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith('-')) oldLeft--;
      else if (line.startsWith('+')) newLeft--;
      else if (line.startsWith(' ')) {
        oldLeft--;
        newLeft--;
      }
      if (!line.startsWith('\\')) continue;
    }
    if (line.startsWith('diff --git ')) {
      current = null;
      renamedTo = null;
      deleted = false;
      continue;
    }
    if (line.startsWith('deleted file mode')) {
      deleted = true;
      continue;
    }
    if (line.startsWith('rename to ') || line.startsWith('copy to ')) {
      renamedTo = pathOf(line.slice(line.indexOf(' to ') + 4), '');
      if (renamedTo !== null && !deleted) {
        current = files.get(renamedTo) ?? [];
        files.set(renamedTo, current);
      }
      continue;
    }
    if (line.startsWith('+++ ')) {
      const path = pathOf(line.slice(4), 'b/');
      if (path === null || deleted) {
        current = null;
        continue;
      }
      current = files.get(path) ?? [];
      files.set(path, current);
      continue;
    }
    if (line.startsWith('@@')) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      const start = Number(m[2]);
      const count = m[3] === undefined ? 1 : Number(m[3]);
      oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      newLeft = count;
      if (!current) continue;
      if (count > 0) current.push([start, start + count - 1]);
      else current.push(start === 0 ? [1, 1] : [start, start + 1]);
    }
  }
  for (const ranges of files.values()) ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return files;
}

/** Whether the inclusive range [start, end] shares a line with one of `ranges`. */
export function intersects(ranges: readonly LineRange[], start: number, end: number): boolean {
  return ranges.some(([a, b]) => a <= end && start <= b);
}

/**
 * The lines GitHub shows in a pull request's diff, which are the only lines a review comment may sit on: the changed
 * ranges widened by `context` lines (git's default of 3) and merged where they touch, as git merges hunks.
 */
export function visibleRanges(ranges: readonly LineRange[], context = 3): LineRange[] {
  const widened = ranges.map(([a, b]): LineRange => [Math.max(1, a - context), b + context]).sort((x, y) => x[0] - y[0]);
  const merged: LineRange[] = [];
  for (const range of widened) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Whether [start, end] lies wholly inside one of `ranges` (a multi-line comment cannot span two hunks). */
export function within(ranges: readonly LineRange[], start: number, end: number): boolean {
  return ranges.some(([a, b]) => a <= start && end <= b);
}
