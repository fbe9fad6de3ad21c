/**
 * The part of the WebAssembly JavaScript API the sandbox uses, typed here: the project compiles against ES2023
 * and @types/node, neither of which declares `WebAssembly` (the DOM library does).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
  Module: { imports(module: WasmModule): { module: string; name: string; kind: string }[] };
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
