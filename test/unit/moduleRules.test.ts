/** The settings a cycle obeys, combined and refused by one function (the cycle and `evolve start` both call it). */
import { describe, expect, it } from 'vitest';
import { UnhonourableSettings } from '../../domain/services/breakingPolicy';
import { combineModuleRules } from '../../domain/services/moduleRules';

const cycle = {
  moduleId: 'm',
  requireApproval: false,
  rejectBreaking: false,
  approvalTimeoutOutcome: 'reject' as const,
};
const module = { requireApproval: false, rejectBreaking: false, autoRollbackOnBreaking: false };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnhonourableSettings);
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('combineModuleRules', () => {
  it('a flag set on either side holds; no service without serve', () => {
    expect(
      combineModuleRules(
        { ...cycle, requireApproval: true },
        { ...module, autoRollbackOnBreaking: true },
      ),
    ).toEqual({
      breaking: {
        requireApproval: true,
        rejectBreaking: false,
        autoRollbackOnBreaking: true,
        approvalTimeoutOutcome: 'reject',
      },
      service: null,
    });
  });

  it("the config's service keys replace the module's as a whole", () => {
    const rules = combineModuleRules(
      { ...cycle, serve: 'node a.js' },
      { ...module, serve: 'node b.js', health: 'http://127.0.0.1:{port}/h' },
    );
    expect(rules.service).toMatchObject({ serve: 'node a.js', health: null });
    // Without any in the config, the module's service is used.
    expect(
      combineModuleRules(cycle, { ...module, serve: 'node b.js', health: 'true' }).service,
    ).toMatchObject({ serve: 'node b.js', health: { kind: 'command', command: 'true' } });
  });

  it('refuses contradicting breaking settings across the two sides, naming the keys', () => {
    expect(
      refusal(() =>
        combineModuleRules(
          { ...cycle, rejectBreaking: true },
          { ...module, autoRollbackOnBreaking: true },
        ),
      ),
    ).toMatch(/^module m: rejectBreaking and autoRollbackOnBreaking are both set/);
    expect(
      refusal(() =>
        combineModuleRules(
          { ...cycle, approvalTimeoutOutcome: 'approve' },
          { ...module, requireApproval: true, autoRollbackOnBreaking: true },
        ),
      ),
    ).toMatch(/requireApproval with autoRollbackOnBreaking .* approvalTimeoutOutcome/);
  });

  it('refuses service settings that cannot be honoured, naming the key', () => {
    expect(
      refusal(() =>
        combineModuleRules(
          { ...cycle, serve: 's', health: 'true', healthIntervalSec: 20, healthWindowSec: 5 },
          module,
        ),
      ),
    ).toMatch(/^module m: healthIntervalSec: .*healthWindowSec/);
    // A hand-edited module config: a probe with nothing to probe.
    expect(refusal(() => combineModuleRules(cycle, { ...module, health: 'true' }))).toMatch(
      /^module m: health: is set but `serve` is not/,
    );
  });
});
