/**
 * Where a project keeps its schema, seen from the file being linted: the package that holds it, the workspace
 * around it, and what a knexfile says. ESLint runs from a monorepo's root, from one of its packages, or in an
 * editor opened on a sub-folder; the migrations may sit in yet another package. This module only finds places
 * (directories, package names, glob patterns); which of them holds a schema is the loader's call.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import type { TSESTree } from '@typescript-eslint/typescript-estree';

const CONFIG_NAMES = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'];
const KNEXFILE_NAMES = ['knexfile.js', 'knexfile.ts', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.mts', 'knexfile.cts'];
/** What a migrations folder may hold (knex runs `.sql` files through its own loaders only with a plugin). */
const MIGRATION_FILES = '**/*.{sql,ts,js,mjs,cjs,mts,cts}';

/** Directory facts are stable for a lint run; they are forgotten with the schema cache. */
const facts = new Map<string, unknown>();

export function clearDiscoveryCache(): void {
  facts.clear();
}

function memo<T>(key: string, compute: () => T): T {
  if (facts.has(key)) return facts.get(key) as T;
  const value = compute();
  facts.set(key, value);
  return value;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** `dir` and its parents up to and including `top` (or the filesystem root when `dir` is not under `top`). */
export function upward(dir: string, top: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (d === top || path.dirname(d) === d) return out;
  }
}

/** A package's root: it has a `package.json`. */
export function isPackageDir(dir: string): boolean {
  return memo(`pkg\0${dir}`, () => isFile(path.join(dir, 'package.json')));
}

/** The nearest package root at or above `dir`, up to `top` (see `upward`); remembered per directory. */
export function nearestPackageDir(dir: string, top: string): string | undefined {
  return memo(`own\0${top}\0${dir}`, () => upward(dir, top).find((d) => isPackageDir(d)));
}

/** The workspace's package globs declared in `dir` (pnpm-workspace.yaml, package.json `workspaces`), or null. */
export function workspaceGlobs(dir: string): string[] | null {
  return memo(`ws\0${dir}`, () => {
    const pnpm = path.join(dir, 'pnpm-workspace.yaml');
    if (isFile(pnpm)) return pnpmPackages(readFileSync(pnpm, 'utf8'));
    const manifest = isPackageDir(dir) ? readJson(path.join(dir, 'package.json')) : null;
    const workspaces = manifest?.workspaces;
    const list = Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages;
    return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : null;
  });
}

/** The `packages:` list of a pnpm-workspace.yaml (a block list of plain or quoted scalars). */
export function pnpmPackages(yaml: string): string[] {
  const out: string[] = [];
  let inPackages = false;
  for (const raw of yaml.split(/\r?\n/)) {
    const line = withoutComment(raw);
    if (/^\S/.test(line)) {
      inPackages = /^packages\s*:\s*$/.test(line);
      continue;
    }
    const item = line.trim();
    if (!inPackages || line === item || !item.startsWith('-')) continue;
    let value = item.slice(1).trim();
    const quote = value[0];
    if ((quote === "'" || quote === '"') && value.length > 2 && value.endsWith(quote)) value = value.slice(1, -1);
    if (value.trim() !== '') out.push(value);
  }
  return out;
}

/** A YAML line without its trailing `# comment` (a `#` after whitespace), by one scan: no regex that backtracks. */
function withoutComment(line: string): string {
  for (let i = 1; i < line.length; i++) {
    if (line[i] === '#' && (line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i).trimEnd();
  }
  return line;
}

/** `s` without trailing slashes (a loop: `/\/+$/` backtracks quadratically on a run of slashes). */
function withoutTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === '/') end--;
  return s.slice(0, end);
}

/** The nearest workspace root at or above `dir` (stopping at the filesystem root), or null. */
export function workspaceRoot(dir: string): string | null {
  return memo(`wsroot\0${dir}`, () => {
    for (const d of upward(dir, '')) if (workspaceGlobs(d) !== null) return d;
    return null;
  });
}

export interface WorkspacePackage {
  dir: string;
  name: string | undefined;
}

/** The packages of the workspace rooted at `root` (directories matched by its globs that hold a package.json). */
export function workspacePackages(root: string): WorkspacePackage[] {
  return memo(`wspkgs\0${root}`, () => {
    const globs = workspaceGlobs(root) ?? [];
    const include = globs.filter((g) => !g.startsWith('!')).map(withoutTrailingSlashes);
    const ignore = ['**/node_modules/**', ...globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1))];
    let dirs: string[] = [];
    try {
      dirs = include.length ? globSync(include, { cwd: root, onlyDirectories: true, absolute: true, ignore }) : [];
    } catch {
      dirs = [];
    }
    return [...new Set(dirs.map((d) => path.resolve(d)))]
      .filter((d) => d !== root && isInside(root, d) && isPackageDir(d))
      .sort()
      .map((dir) => {
        const name = readJson(path.join(dir, 'package.json'))?.name;
        return { dir, name: typeof name === 'string' ? name : undefined };
      });
  });
}

/** Names of the packages the package at `dir` depends on (any kind of dependency). */
export function dependencyNames(dir: string): Set<string> {
  return memo(`deps\0${dir}`, () => {
    const manifest = readJson(path.join(dir, 'package.json')) ?? {};
    const names = new Set<string>();
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = manifest[key];
      if (deps && typeof deps === 'object') for (const name of Object.keys(deps)) names.add(name);
    }
    return names;
  });
}

/** Directories holding an ESLint flat config at or above `dir`, nearest first. */
export function configDirs(dir: string): string[] {
  return memo(`configs\0${dir}`, () => upward(dir, '').filter((d) => CONFIG_NAMES.some((name) => existsSync(path.join(d, name)))));
}

/** The knexfile in `dir`, if any. */
export function knexfileIn(dir: string): string | undefined {
  return memo(`knexfile\0${dir}`, () => KNEXFILE_NAMES.map((n) => path.join(dir, n)).find(isFile));
}

/**
 * Glob patterns (relative to the knexfile's directory, where knex's CLI runs) for the migration folders a knexfile
 * names: `migrations: { directory }` at the top or under any environment; a string, an array of strings, a template
 * without interpolations, or `path.join|resolve(__dirname | import.meta.dirname, 'a', 'b')`. A folder outside the
 * knexfile's directory is not followed (discovery stays inside the project).
 */
export function knexMigrationPatterns(program: TSESTree.Program): string[] {
  const dirs = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const node = value as TSESTree.Node;
    if (node.type === 'Property' && keyName(node.key) === 'migrations' && node.value.type === 'ObjectExpression') {
      for (const p of node.value.properties) {
        if (p.type !== 'Property' || keyName(p.key) !== 'directory') continue;
        const values = p.value.type === 'ArrayExpression' ? p.value.elements : [p.value];
        for (const v of values) {
          const dir = v && v.type !== 'SpreadElement' ? pathValue(v) : undefined;
          if (dir !== undefined) dirs.add(dir);
        }
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'parent' || key === 'range' || key === 'loc') continue;
      if (child && typeof child === 'object') visit(child);
    }
  };
  visit(program.body);
  const patterns: string[] = [];
  for (const dir of dirs) {
    const normal = path.posix.normalize(dir.split(path.sep).join('/'));
    const clean = withoutTrailingSlashes(normal.startsWith('./') ? normal.slice(2) : normal);
    if (clean === '' || clean === '.' || clean.startsWith('..') || path.posix.isAbsolute(clean)) continue;
    patterns.push(`${clean}/${MIGRATION_FILES}`);
  }
  return patterns;
}

function keyName(node: TSESTree.Node): string | undefined {
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  return undefined;
}

/** A directory written as a literal, or joined onto the config's own directory. */
function pathValue(node: TSESTree.Node): string | undefined {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? undefined;
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
  const method = keyName(node.callee.property);
  if (method !== 'join' && method !== 'resolve') return undefined;
  const [first, ...rest] = node.arguments;
  const here =
    (first?.type === 'Identifier' && first.name === '__dirname') ||
    (first?.type === 'MemberExpression' && first.object.type === 'MetaProperty' && keyName(first.property) === 'dirname');
  if (!here) return undefined;
  const parts = rest.map((a) => (a.type === 'Literal' && typeof a.value === 'string' ? a.value : undefined));
  return parts.every((p) => p !== undefined) ? path.posix.join('.', ...(parts as string[])) : undefined;
}
