/**
 * `schema.prisma` (and multi-file `prisma/schema/*.prisma`) → the schema model. Only what the checks need is read:
 * `model` and `view` blocks, their table (`@@map`, `@@schema`), their scalar fields' column names (`@map`), and
 * relation fields (the related model, list or not, `@relation(name, fields, references)`). Everything else
 * (datasource, generator, enum, type blocks; defaults, indexes) is skipped.
 *
 * Tables defined by the migrations win: a model only adds a relation when no migration created its table. The
 * model → table/column mapping is recorded either way (`SchemaModel.prismaModels`) for the Prisma client front end.
 */
import { findRelation, relationKey, type PrismaField, type PrismaModel, type SchemaModel } from './model.js';

export interface PrismaSchemaFile {
  file: string;
  text: string;
}

export interface RawField {
  name: string;
  type: string;
  list: boolean;
  attributes: string;
}

interface RawBlock {
  kind: 'model' | 'view';
  name: string;
  fields: RawField[];
  blockAttributes: string[];
  file: string;
  index: number;
}

/** Removes `//` and `///` comments (not inside strings), keeping every other character where it was. */
export function stripPrismaComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"' || ch === '\n') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
      if (i < text.length) out += '\n';
      continue;
    }
    out += ch;
  }
  return out;
}

const BLOCK_START = /^\s*(model|view|enum|type|datasource|generator)\s+([A-Za-z_][\w]*)\s*\{(.*)$/;

/**
 * A field line `name Type(args)?[]? ? @attributes…` read in one pass (a regular expression for it backtracks in the
 * fourth power of the line's length on blanks before a carriage return). It answers as
 * `^([A-Za-z_]\w*)\s+([A-Za-z_][\w.]*(?:\([^)]*\))?)\s*(\[\])?\s*(\?)?\s*(.*)$` did: null where that did not match.
 */
export function prismaField(line: string): RawField | null {
  const startsName = (i: number): boolean => /[A-Za-z_]/.test(line[i] ?? '');
  const skip = (i: number, test: RegExp): number => {
    let j = i;
    while (j < line.length && test.test(line[j]!)) j++;
    return j;
  };
  if (!startsName(0)) return null;
  const nameEnd = skip(1, /\w/);
  const typeStart = skip(nameEnd, /\s/);
  if (typeStart === nameEnd || !startsName(typeStart)) return null;
  let i = skip(typeStart + 1, /[\w.]/);
  if (line[i] === '(') {
    const close = line.indexOf(')', i + 1);
    if (close >= 0) i = close + 1;
  }
  const type = line.slice(typeStart, i);
  i = skip(i, /\s/);
  const list = line.startsWith('[]', i);
  if (list) i = skip(i + 2, /\s/);
  if (line[i] === '?') i = skip(i + 1, /\s/);
  const attributes = line.slice(i);
  if (/[\n\r\u2028\u2029]/.test(attributes)) return null; // `.` stops at a line terminator
  return { name: line.slice(0, nameEnd), type, list, attributes };
}

function parseBlocks(file: string, text: string): RawBlock[] {
  const blocks: RawBlock[] = [];
  const lines = stripPrismaComments(text).split('\n');
  let offset = 0;
  let current: RawBlock | null = null;
  let skipping = false;
  for (const line of lines) {
    const lineStart = offset;
    offset += line.length + 1;
    const trimmed = line.trim();
    if (current === null && !skipping) {
      const m = BLOCK_START.exec(line);
      if (!m) continue;
      const rest = m[3]!.trim();
      if (m[1] === 'model' || m[1] === 'view') {
        current = { kind: m[1], name: m[2]!, fields: [], blockAttributes: [], file, index: lineStart + line.indexOf(m[1]) };
        if (rest.startsWith('}')) {
          blocks.push(current);
          current = null;
        }
      } else if (!rest.startsWith('}')) {
        skipping = true;
      }
      continue;
    }
    if (trimmed.startsWith('}')) {
      if (current) blocks.push(current);
      current = null;
      skipping = false;
      continue;
    }
    if (skipping || current === null || trimmed === '') continue;
    if (trimmed.startsWith('@@')) {
      current.blockAttributes.push(trimmed);
      continue;
    }
    const field = prismaField(trimmed);
    if (field) current.fields.push(field);
  }
  return blocks;
}

/** The string argument of `@name("x")` / `@@name("x")` (first positional or `name:` argument). */
function stringAttribute(attributes: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\s)${name.replace(/[@]/g, '@')}\\s*\\(\\s*(?:name\\s*:\\s*)?"((?:[^"\\\\]|\\\\.)*)"`);
  const m = re.exec(attributes);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

/** The arguments of `@relation(…)`, or undefined. */
function relationAttribute(attributes: string): { name?: string; fields?: string[]; references?: string[] } | undefined {
  const start = attributes.search(/@relation\s*\(/);
  if (start < 0) return undefined;
  const open = attributes.indexOf('(', start);
  let depth = 0;
  let end = open;
  let inString = false;
  for (; end < attributes.length; end++) {
    const ch = attributes[end];
    if (inString) {
      if (ch === '\\') end++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      depth--;
      if (depth === 0) break;
    }
  }
  const args = attributes.slice(open + 1, end);
  const out: { name?: string; fields?: string[]; references?: string[] } = {};
  const name = /^\s*"((?:[^"\\]|\\.)*)"/.exec(args) ?? /(?:^|[,\s])name\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(args);
  if (name) out.name = name[1]!;
  const list = (key: string): string[] | undefined => {
    const m = new RegExp(`(?:^|[,\\s])${key}\\s*:\\s*\\[([^\\]]*)\\]`).exec(args);
    return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  };
  const fields = list('fields');
  const references = list('references');
  if (fields) out.fields = fields;
  if (references) out.references = references;
  return out;
}

/** Models of a set of Prisma schema files (one schema may span several files: relations resolve across them). */
export function parsePrismaSchema(files: readonly PrismaSchemaFile[]): Map<string, PrismaModel> {
  const blocks = files.flatMap(({ file, text }) => parseBlocks(file, text));
  const names = new Set(blocks.map((b) => b.name));
  const models = new Map<string, PrismaModel>();
  for (const block of blocks) {
    if (block.blockAttributes.some((a) => /^@@ignore\b/.test(a))) continue;
    const attrs = block.blockAttributes.join('\n');
    const table = stringAttribute(attrs, '@@map') ?? block.name;
    const schema = stringAttribute(attrs, '@@schema');
    const fields = new Map<string, PrismaField>();
    for (const field of block.fields) {
      if (names.has(field.type)) {
        const relation = relationAttribute(field.attributes);
        const info: PrismaField = { column: field.name, relation: field.type, list: field.list };
        if (relation?.name) info.relationName = relation.name;
        if (relation?.fields) info.fields = relation.fields;
        if (relation?.references) info.references = relation.references;
        fields.set(field.name, info);
      } else {
        fields.set(field.name, { column: stringAttribute(field.attributes, '@map') ?? field.name });
      }
    }
    const model: PrismaModel = { name: block.name, table, kind: block.kind, fields, origin: { file: block.file, index: block.index } };
    if (schema !== undefined) model.schema = schema;
    models.set(block.name, model);
  }
  return models;
}

/**
 * Adds the models of these Prisma schema files to `model`: their mapping always, and a relation for every model
 * whose table the migrations did not define (columns: the mapped scalar fields).
 */
export function applyPrismaSchema(model: SchemaModel, files: readonly PrismaSchemaFile[], searchPath: readonly string[]): void {
  let models: Map<string, PrismaModel>;
  try {
    models = parsePrismaSchema(files);
  } catch (error) {
    for (const { file } of files) model.problems.push({ file, message: `${file}: cannot read the Prisma schema: ${(error as Error).message}` });
    return;
  }
  const all = (model.prismaModels ??= new Map());
  for (const [name, prisma] of models) {
    all.set(name, prisma);
    if (findRelation(model, prisma.schema ?? null, prisma.table, searchPath)) continue;
    const schema = prisma.schema ?? searchPath[0] ?? 'public';
    const columns = [...prisma.fields.values()].filter((f) => f.relation === undefined).map((f) => f.column);
    model.relations.set(relationKey(schema, prisma.table), {
      schema,
      name: prisma.table,
      kind: prisma.kind === 'view' ? 'view' : 'table',
      columns,
      uniques: [],
      rlsEnabled: false,
      policies: [],
      origin: prisma.origin,
    });
  }
}

/** The client's delegate name of a model: `User` → `user`, `OrderItem` → `orderItem`. */
export function delegateName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}
