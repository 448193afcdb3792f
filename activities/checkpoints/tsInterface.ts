/**
 * A TypeScript/JavaScript package's public interface, read with the
 * TypeScript compiler API: the entry point's exported names, each with a
 * printed signature. Classes, interfaces and object types list their
 * members, so a changed method is a changed signature.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type ts from 'typescript';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs'];

function firstExisting(dir: string, candidates: readonly string[]): string | null {
  for (const c of candidates) {
    const p = path.join(dir, c);
    if (existsSync(p)) return p;
  }
  return null;
}

/** `./dist/index.js` → the file itself, or a `.ts`/`.d.ts` beside it, or the same under src/. */
function sourceFor(dir: string, file: string): string | null {
  const base = file
    .replace(/\.(m|c)?js$/, '')
    .replace(/\.d\.ts$/, '')
    .replace(/\.ts$/, '');
  const variants = [file, ...SOURCE_EXTENSIONS.map((e) => base + e)];
  const srcBase = base.replace(/^(\.\/)?(dist|lib|build|out)\//, 'src/');
  variants.push(...SOURCE_EXTENSIONS.map((e) => srcBase + e));
  return firstExisting(dir, variants);
}

function exportsTarget(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp;
  if (exp && typeof exp === 'object') {
    const o = exp as Record<string, unknown>;
    const root = '.' in o ? o['.'] : o;
    if (typeof root === 'string') return root;
    if (root && typeof root === 'object') {
      const r = root as Record<string, unknown>;
      for (const key of ['types', 'import', 'require', 'default', 'node']) {
        const t = exportsTarget(r[key]);
        if (t) return t;
      }
    }
  }
  return undefined;
}

/** The package's entry file: package.json types/typings, exports, main; else index.ts or src/index.ts. */
export function findEntryPoint(dir: string): string | null {
  const pkgFile = path.join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    try {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
      for (const candidate of [pkg.types, pkg.typings, exportsTarget(pkg.exports), pkg.main]) {
        if (typeof candidate === 'string') {
          const found = sourceFor(dir, candidate);
          if (found) return found;
        }
      }
    } catch {
      // an unreadable package.json gives no entry point; fall through to conventions
    }
  }
  return firstExisting(dir, ['index.ts', 'index.tsx', 'src/index.ts', 'src/index.tsx', 'index.js']);
}

let loaded: typeof ts | undefined;
/** The TypeScript compiler takes about a second to load: only assessing compatibility pays for it. */
function compiler(): typeof ts {
  loaded ??= require('typescript') as typeof ts;
  return loaded;
}

function format(): ts.TypeFormatFlags {
  const flags = compiler().TypeFormatFlags;
  return flags.NoTruncation | flags.UseFullyQualifiedType | flags.WriteArrowStyleSignature;
}

function membersOf(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  const parts: string[] = [];
  for (const sig of type.getConstructSignatures())
    parts.push(`new ${checker.signatureToString(sig, at, format())}`);
  for (const sig of type.getCallSignatures())
    parts.push(checker.signatureToString(sig, at, format()));
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    const modifiers = decl ? compiler().getCombinedModifierFlags(decl) : 0;
    if (modifiers & (compiler().ModifierFlags.Private | compiler().ModifierFlags.Protected))
      continue;
    if (prop.name.startsWith('#')) continue;
    const optional = prop.flags & compiler().SymbolFlags.Optional ? '?' : '';
    const readonly = modifiers & compiler().ModifierFlags.Readonly ? 'readonly ' : '';
    const propType = checker.typeToString(
      checker.getTypeOfSymbolAtLocation(prop, at),
      at,
      format(),
    );
    parts.push(`${readonly}${prop.name}${optional}: ${propType}`);
  }
  return parts.sort();
}

function describeSymbol(checker: ts.TypeChecker, symbol: ts.Symbol, at: ts.Node): string {
  const target =
    symbol.flags & compiler().SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const decl = target.valueDeclaration ?? target.declarations?.[0] ?? at;
  const parts: string[] = [];
  const f = target.flags;
  if (f & compiler().SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(target);
    const statics = checker.getTypeOfSymbolAtLocation(target, decl);
    parts.push(
      `class { ${membersOf(checker, instance, decl).join('; ')} } static { ${membersOf(
        checker,
        statics,
        decl,
      )
        .filter((m) => !m.startsWith('prototype'))
        .join('; ')} }`,
    );
  } else if (f & compiler().SymbolFlags.Enum) {
    const members = checker.getExportsOfModule(target).map((m) => {
      const d = m.valueDeclaration;
      const value = d && compiler().isEnumMember(d) ? checker.getConstantValue(d) : undefined;
      return `${m.name}=${JSON.stringify(value)}`;
    });
    parts.push(`enum { ${members.sort().join(', ')} }`);
  } else if (f & (compiler().SymbolFlags.Function | compiler().SymbolFlags.Variable)) {
    const type = checker.getTypeOfSymbolAtLocation(target, decl);
    const kind = f & compiler().SymbolFlags.Function ? 'function' : 'const';
    const sigs = type.getCallSignatures();
    parts.push(
      sigs.length > 0 && checker.getPropertiesOfType(type).length === 0
        ? `${kind} ${sigs.map((s) => checker.signatureToString(s, decl, format())).join(' & ')}`
        : `${kind} ${checker.typeToString(type, decl, format())}`,
    );
  }
  if (f & compiler().SymbolFlags.Interface) {
    parts.push(
      `interface { ${membersOf(checker, checker.getDeclaredTypeOfSymbol(target), decl).join('; ')} }`,
    );
  }
  if (f & compiler().SymbolFlags.TypeAlias) {
    const type = checker.getDeclaredTypeOfSymbol(target);
    const members = type.isUnionOrIntersection() ? [] : membersOf(checker, type, decl);
    parts.push(
      `type ${members.length ? `{ ${members.join('; ')} }` : checker.typeToString(type, decl, format() | compiler().TypeFormatFlags.InTypeAlias)}`,
    );
  }
  if (f & compiler().SymbolFlags.Module && parts.length === 0) {
    const names = checker
      .getExportsOfModule(target)
      .map((m) => m.name)
      .sort();
    parts.push(`namespace { ${names.join(', ')} }`);
  }
  return parts.join(' + ') || 'unknown';
}

/**
 * TypeScript's own lib files (lib.es2022.d.ts, …), parsed once per process and
 * shared by every program, as the language service shares them: they never
 * change, and parsing them was most of each extraction (two per assessment).
 */
const libFiles = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = compiler().createCompilerHost(options);
  const libDir = path.dirname(compiler().getDefaultLibFilePath(options));
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    if (path.dirname(fileName) !== libDir) return read(fileName, language, onError, shouldCreate);
    const version = typeof language === 'object' ? language.languageVersion : language;
    const key = `${version}:${fileName}`;
    let file = libFiles.get(key);
    if (!file) {
      file = read(fileName, language, onError, shouldCreate);
      if (file) libFiles.set(key, file);
    }
    return file;
  };
  return host;
}

/** Export name → signature, or null when the directory has no entry point. */
export function extractTsInterface(dir: string): Record<string, string> | null {
  const entry = findEntryPoint(dir);
  if (!entry) return null;
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: false,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    target: compiler().ScriptTarget.ES2022,
    module: compiler().ModuleKind.Node16,
    moduleResolution: compiler().ModuleResolutionKind.Node16,
    types: [],
  };
  const program = compiler().createProgram([entry], options, cachingHost(options));
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) return null;
  const moduleSymbol = checker.getSymbolAtLocation(source);
  // A script without imports or exports exports nothing.
  if (!moduleSymbol) return {};
  const result: Record<string, string> = {};
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    result[symbol.name] = describeSymbol(checker, symbol, source);
  }
  return result;
}
