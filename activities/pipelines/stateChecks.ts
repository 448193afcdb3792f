/**
 * The guide's built-in state checks, run beside a pipeline's own
 * (critical files, dependency commands) before a resume and by
 * `ratchet recovery validate`: the working directory is clean (or its changes
 * are listed), the configuration files parse and validate, and declared
 * dependencies are installed (`node_modules/<name>` for each one in
 * package.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadSettings } from '../../config/settings';
import { isRepository } from '../agents/git';
import { gitIn as git } from '../infra/git';

export interface StateCheck {
  check: string;
  ok: boolean;
  detail: string;
}

const LISTED = 20;

export async function workingDirectoryCheck(
  workspace: string,
  requireClean: boolean,
): Promise<StateCheck | null> {
  // Only the workspace's own repository: a folder inside someone else's is not "its" git state.
  if (!existsSync(path.join(workspace, '.git'))) return null;
  if (!(await isRepository(workspace)))
    return { check: 'git repository', ok: false, detail: 'git cannot read it' };
  let changes: string[];
  try {
    changes = (await git(workspace, ['status', '--porcelain', '--untracked-files=all']))
      .split('\n')
      .filter(Boolean);
  } catch (err) {
    return { check: 'working directory', ok: false, detail: (err as Error).message.slice(0, 300) };
  }
  if (changes.length === 0) return { check: 'working directory', ok: true, detail: 'clean' };
  const listed = changes.slice(0, LISTED).join(', ');
  const more = changes.length > LISTED ? ` and ${changes.length - LISTED} more` : '';
  return {
    check: 'working directory',
    ok: !requireClean,
    detail: `${changes.length} change(s): ${listed}${more}`,
  };
}

function readJsonObject(file: string): Record<string, unknown> | string {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return 'not a JSON object';
    return value as Record<string, unknown>;
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'unreadable';
  }
}

export function configurationChecks(workspace: string): StateCheck[] {
  const checks: StateCheck[] = [];
  const pkg = path.join(workspace, 'package.json');
  if (existsSync(pkg)) {
    const parsed = readJsonObject(pkg);
    checks.push({
      check: 'configuration package.json',
      ok: typeof parsed !== 'string',
      detail: typeof parsed === 'string' ? parsed : 'valid',
    });
  }
  if (existsSync(path.join(workspace, 'ratchet.config.json'))) {
    try {
      // The file alone, not this process's environment: it is the workspace's configuration.
      loadSettings({ cwd: workspace, env: {} });
      checks.push({ check: 'configuration ratchet.config.json', ok: true, detail: 'valid' });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      checks.push({
        check: 'configuration ratchet.config.json',
        ok: false,
        detail: err.message.replace(/\s+/g, ' ').slice(0, 300),
      });
    }
  }
  return checks;
}

export function dependencyInstallCheck(workspace: string): StateCheck | null {
  const pkgFile = path.join(workspace, 'package.json');
  if (!existsSync(pkgFile)) return null;
  const pkg = readJsonObject(pkgFile);
  if (typeof pkg === 'string') return null; // configurationChecks reports it
  const declared = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((key) => {
    const deps = pkg[key];
    return deps && typeof deps === 'object' && !Array.isArray(deps) ? Object.keys(deps) : [];
  });
  const optional = new Set(
    Object.keys((pkg.optionalDependencies as Record<string, unknown> | undefined) ?? {}),
  );
  if (declared.length === 0)
    return { check: 'dependencies installed', ok: true, detail: 'none declared' };
  if (!existsSync(path.join(workspace, 'node_modules')))
    return {
      check: 'dependencies installed',
      ok: false,
      detail: `package.json declares ${declared.length} but node_modules is missing (npm install)`,
    };
  const missing = [...new Set(declared)].filter(
    (name) =>
      !optional.has(name) &&
      !existsSync(path.join(workspace, 'node_modules', ...name.split('/'), 'package.json')),
  );
  return {
    check: 'dependencies installed',
    ok: missing.length === 0,
    detail: missing.length
      ? `missing from node_modules: ${missing.slice(0, LISTED).join(', ')}`
      : `${declared.length} present`,
  };
}

export async function builtinStateChecks(
  workspace: string,
  options: { requireCleanWorkdir?: boolean } = {},
): Promise<StateCheck[]> {
  const checks: StateCheck[] = [];
  const wd = await workingDirectoryCheck(workspace, options.requireCleanWorkdir ?? false);
  if (wd) checks.push(wd);
  checks.push(...configurationChecks(workspace));
  const deps = dependencyInstallCheck(workspace);
  if (deps) checks.push(deps);
  return checks;
}
