/**
 * Type-checks a fixture project's `src/*.ts` with the real library types installed (strict), with some files
 * replaced by edited text held in memory: how the suggestion tests prove an applied suggestion still compiles.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  esModuleInterop: true,
  skipLibCheck: true,
  types: [],
};

/**
 * A checker for `project`: each call returns the type errors (`file:line message`) with `replaced` read from memory.
 * `options` adds to the strict defaults (`experimentalDecorators` for a project of decorated entities).
 */
export function typeChecker(project: string, options: ts.CompilerOptions = {}): (replaced: Map<string, string>) => string[] {
  let previous: ts.Program | undefined;
  const compilerOptions = { ...OPTIONS, ...options };
  return (replaced) => {
    const host = ts.createCompilerHost(compilerOptions);
    const { getSourceFile, readFile, fileExists } = host;
    host.readFile = (name) => replaced.get(name) ?? readFile.call(host, name);
    host.fileExists = (name) => replaced.has(name) || fileExists.call(host, name);
    host.getSourceFile = (name, language, onError, fresh) => {
      const text = replaced.get(name);
      return text !== undefined ? ts.createSourceFile(name, text, language, true) : getSourceFile.call(host, name, language, onError, fresh);
    };
    const roots = readdirSync(join(project, 'src'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(project, 'src', f));
    // the previous program lends its unchanged files (the libraries' declarations): one full check, not two
    const program = ts.createProgram(roots, compilerOptions, host, previous);
    previous = program;
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(project, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  };
}
