/**
 * Reading a pipeline file (YAML or JSON): zod-validated, and every problem
 * named by line and field so a user can fix the file without guessing.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { Pipeline } from '../../domain/pipeline';
import { namedIssues } from '../../domain/strictKeys';

export class PipelineFileError extends Error {
  override name = 'PipelineFileError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The YAML node at a zod issue's path (or the nearest parent that exists). */
function nodeAt(root: Node | null, path: PropertyKey[]): Node | null {
  let node: Node | null = root;
  for (const key of path) {
    if (isMap(node)) {
      const next = node.get(key, true) as Node | undefined;
      if (!next) return node;
      node = next;
    } else if (isSeq(node)) {
      const next = node.get(Number(key), true) as Node | undefined;
      if (!next) return node;
      node = next;
    } else return node;
  }
  return node;
}

export function parsePipeline(text: string, file = 'pipeline'): Pipeline {
  const lineCounter = new LineCounter();
  // JSON is YAML too: one parser, one kind of error message.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new PipelineFileError(
      file,
      doc.errors.map(
        (e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`,
      ),
    );
  }
  const parsed = Pipeline.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) =>
    namedIssues(Pipeline, issue).map(({ field, message }) => {
      // An unknown key's line is the key's own; other issues point at their value.
      const keyPath = field === '(root)' ? [] : field.split('.');
      const node = nodeAt(doc.contents, issue.code === 'unrecognized_keys' ? keyPath : issue.path);
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
      return {
        line,
        text: `line ${line}: ${field === '(root)' ? '(top level)' : field}: ${message}`,
      };
    }),
  );
  // In file order, the way an editor lists them.
  problems.sort((a, b) => a.line - b.line);
  throw new PipelineFileError(
    file,
    problems.map((p) => p.text),
  );
}

export function loadPipelineFile(file: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(file, [(err as Error).message]);
  }
  return parsePipeline(text, file);
}
