/**
 * The lineage as a picture: Graphviz source with versions coloured by status,
 * edges parent → child, rollbacks drawn as dashed red edges from the version
 * that was reverted to the version restored in its place, `active` drawn
 * bold and `stable` with a double border. Rendered to SVG by
 * client/lineageSvg.ts (Graphviz compiled to WebAssembly); pure here.
 */
import { rollbackTarget } from './lineage';
import type { VersionRecord, VersionStatus } from './versions';

const STATUS_COLORS: Record<VersionStatus, string> = {
  active: 'palegreen',
  accepted: 'lightblue',
  rejected: 'lightpink',
  rolled_back: 'orange',
  reverted: 'sandybrown',
  quarantined: 'tomato',
  pending_approval: 'khaki',
};

/** Statuses whose version was reverted, and the edge label saying so. */
const REVERTED: Partial<Record<VersionStatus, string>> = {
  rolled_back: 'rolled back',
  quarantined: 'quarantined',
  reverted: 'reverted',
};

const q = (s: string) => JSON.stringify(s);

export function lineageGraphDot(moduleId: string, versions: readonly VersionRecord[]): string {
  const lines = [
    `digraph ${q(moduleId)} {`,
    '  rankdir=LR;',
    `  label=${q(`${moduleId}: version lineage`)}; labelloc=t; fontname="Helvetica";`,
    '  node [shape=box, style="filled,rounded", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const v of versions) {
    const marks = [
      ...(v.status === 'active' ? ['★ active'] : [v.status]),
      ...v.tags,
      ...(v.pruned ? ['(pruned)'] : []),
      ...(v.verified === false ? ['(unverified)'] : []),
    ];
    const attrs = [
      `label=${q([v.version, ...marks].join('\n'))}`,
      `fillcolor=${STATUS_COLORS[v.status]}`,
      ...(v.status === 'active' ? ['penwidth=3'] : []),
      ...(v.tags.includes('stable') ? ['peripheries=2'] : []),
      ...(v.pruned ? ['style="filled,rounded,dashed"'] : []),
    ];
    lines.push(`  ${q(v.version)} [${attrs.join(', ')}];`);
  }
  for (const v of versions) {
    if (v.parentVersion !== null) lines.push(`  ${q(v.parentVersion)} -> ${q(v.version)};`);
  }
  for (const v of versions) {
    const label = REVERTED[v.status];
    if (!label) continue;
    const target = rollbackTarget(versions, { from: v.version });
    if (target)
      lines.push(
        `  ${q(v.version)} -> ${q(target.version)} [style=dashed, color=red, fontcolor=red, constraint=false, label=${q(label)}];`,
      );
  }
  lines.push('}');
  return lines.join('\n');
}
