/**
 * PostgreSQL's naming conventions, approximated: default constraint and index names, the output column name of a
 * select-list expression, and qualified names written inside strings (`'app.users'`).
 */
import { fieldsOf, list, nameList, unwrap } from './ast.js';

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps. */
const MAX_IDENTIFIER = 63;

/**
 * PostgreSQL's makeObjectName: `name1_name2_label`, shortening the longer of name1/name2 until it fits.
 */
export function makeObjectName(name1: string, name2: string, label: string): string {
  const overhead = (label ? label.length + 1 : 0) + (name2 ? 1 : 0);
  const available = MAX_IDENTIFIER - overhead;
  let len1 = name1.length;
  let len2 = name2.length;
  while (len1 + len2 > available) {
    if (len1 > len2) len1--;
    else len2--;
  }
  let name = name1.slice(0, len1);
  if (name2) name += `_${name2.slice(0, len2)}`;
  if (label) name += `_${label}`;
  return name;
}

/**
 * PostgreSQL's ChooseRelationName: the first of `t_cols_label`, `t_cols_label1`, … that `taken` does not report.
 */
export function chooseName(table: string, columns: string[], label: string, taken: (name: string) => boolean): string {
  const name2 = columns.join('_');
  for (let pass = 0; pass < 1000; pass++) {
    const name = makeObjectName(table, name2, pass === 0 ? label : `${label}${pass}`);
    if (!taken(name)) return name;
  }
  return makeObjectName(table, name2, label);
}

/**
 * PostgreSQL's FigureColname for a select-list or index expression: the column or function name, the type of a
 * cast, a few keyword-named constructs, otherwise undefined (the caller picks `?column?` or `expr`).
 */
export function figureColname(node: unknown): string | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  switch (n.type) {
    case 'ColumnRef': {
      const fields = list(n.fields.fields);
      const last = fields[fields.length - 1];
      const sval = fieldsOf(last, 'String')?.sval;
      return typeof sval === 'string' ? sval : undefined;
    }
    case 'A_Indirection': {
      const ind = list(n.fields.indirection);
      const last = ind[ind.length - 1];
      const sval = fieldsOf(last, 'String')?.sval;
      return typeof sval === 'string' ? sval : figureColname(n.fields.arg);
    }
    case 'FuncCall': {
      const names = nameList(n.fields.funcname);
      return names[names.length - 1];
    }
    case 'TypeCast': {
      const inner = figureColname(n.fields.arg);
      if (inner) return inner;
      const typeName = fieldsOf(n.fields.typeName, 'TypeName') ?? (n.fields.typeName as Record<string, unknown>);
      const names = nameList(typeName?.names);
      return names[names.length - 1];
    }
    case 'CollateClause':
      return figureColname(n.fields.arg);
    case 'CaseExpr':
      return 'case';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return n.fields.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'NullIfExpr':
      return 'nullif';
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'SubLink': {
      if (n.fields.subLinkType === 'EXISTS_SUBLINK') return 'exists';
      if (n.fields.subLinkType === 'ARRAY_SUBLINK') return 'array';
      if (n.fields.subLinkType === 'EXPR_SUBLINK') {
        const select = fieldsOf(n.fields.subselect, 'SelectStmt');
        const target = fieldsOf(list(select?.targetList)[0], 'ResTarget');
        if (typeof target?.name === 'string') return target.name;
        return figureColname(target?.val);
      }
      return undefined;
    }
    case 'SQLValueFunction': {
      const op = String(n.fields.op ?? '');
      return op.replace(/^SVFOP_/, '').replace(/_N$/, '').toLowerCase() || undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Splits a qualified name written in a string (`app.users`, `"App"."Users"`), folding unquoted parts to lower
 * case as regclass input does.
 */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    let part = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length) {
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += s[i++];
      }
    } else {
      while (i < s.length && s[i] !== '.') part += s[i++];
      part = part.trim().toLowerCase();
    }
    parts.push(part);
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s[i] !== '.') break;
    i++;
  }
  return parts.filter((p) => p !== '');
}
