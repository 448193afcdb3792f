/** Real workspaces for checkpoint tests, and an exact description of one to compare. */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** A workspace with nested dirs, text and binary files, an executable, symlinks and empty dirs. */
export function buildWorkspace(root: string, files = 2000): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `pkg${i % 7}`, `mod${i % 13}`, i % 3 === 0 ? 'deep/er' : '');
    mkdirSync(dir, { recursive: true });
    const content = i % 5 === 0 ? randomBytes(512 + (i % 97)) : `file ${i}\n`.repeat(1 + (i % 9));
    writeFileSync(path.join(dir, `f${i}${i % 5 === 0 ? '.bin' : '.txt'}`), content);
  }
  writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(root, 'run.sh'), 0o755);
  symlinkSync('pkg0/mod0/f0.bin', path.join(root, 'link-to-file'));
  symlinkSync('pkg1', path.join(root, 'link-to-dir'));
  symlinkSync('does/not/exist', path.join(root, 'dangling'));
  mkdirSync(path.join(root, 'empty', 'nested', 'deeper'), { recursive: true });
  mkdirSync(path.join(root, 'pkg2', 'empty-leaf'), { recursive: true });
}

/**
 * Every entry below root (except `skip` names at the top level): type,
 * executable bit, content hash or link target; empty dirs included.
 */
export function describeTree(root: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(root, rel));
    if (entries.length === 0 && rel) out[`${rel}/`] = 'empty dir';
    for (const name of entries) {
      if (!rel && skip.includes(name)) continue;
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(root, r);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[r] = `symlink → ${readlinkSync(full)}`;
      else if (st.isDirectory()) walk(r);
      else {
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex');
        out[r] = `file ${st.mode & 0o111 ? 'x' : '-'} ${hash}`;
      }
    }
  };
  walk('');
  return out;
}
