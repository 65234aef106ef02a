/**
 * Makes libpg-query's WASM load finish without waiting for the event loop, so the plugin needs no top-level
 * `await` (which `require()` from an `eslint.config.cjs` rejects with ERR_REQUIRE_ASYNC_MODULE) and yet the parser
 * is ready before ESLint runs a rule.
 *
 * libpg-query starts loading its WASM when it is imported and compiles it with `WebAssembly.instantiate`, which
 * finishes on a later turn of the event loop — hundreds of milliseconds on a busy machine, possibly after ESLint has
 * already started linting. Imported just before libpg-query, this module lets that one compile happen
 * synchronously (`new WebAssembly.Module` / `Instance`, allowed for any size in Node), so the rest of the load is
 * promise callbacks only: it completes before any timer, I/O callback or `await`ed file read of the importer.
 * `restoreInstantiate` puts the original back once libpg-query is loaded.
 */
const original = WebAssembly.instantiate;

function instantiateNow(source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports): Promise<unknown> {
  try {
    if (source instanceof WebAssembly.Module) return Promise.resolve(new WebAssembly.Instance(source, imports));
    const module = new WebAssembly.Module(source);
    return Promise.resolve({ module, instance: new WebAssembly.Instance(module, imports) });
  } catch (error) {
    return Promise.reject(error);
  }
}

WebAssembly.instantiate = instantiateNow as typeof WebAssembly.instantiate;

export function restoreInstantiate(): void {
  if (WebAssembly.instantiate === (instantiateNow as unknown)) WebAssembly.instantiate = original;
}
