/** Types of the generators the tests use (`bench/corpus.js`). */
export interface GeneratedTable {
  name: string;
  columns: string[];
  softDelete: boolean;
}
export function generateSchema(options?: { tables?: number; migrations?: number; seed?: number }): { tables: GeneratedTable[]; files: Array<[string, string]> };
export function generateStatements(tables: GeneratedTable[], count: number, seed: number): string[];
export function generateStructureSql(options?: { statements?: number; seed?: number }): { text: string; statements: number; tables: number };
