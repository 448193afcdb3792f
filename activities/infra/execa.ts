/**
 * execa is ESM-only and this project compiles to CommonJS: load it once with
 * a dynamic import (every caller is async anyway).
 */
import type * as ExecaModule from 'execa' with { 'resolution-mode': 'import' };

type Execa = typeof ExecaModule;

let loaded: Promise<Execa> | undefined;

export function execaModule(): Promise<Execa> {
  loaded ??= import('execa');
  return loaded;
}
