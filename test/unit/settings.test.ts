import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings, workflowUiUrl } from '../../config/settings';

const dir = () => mkdtempSync(path.join(tmpdir(), 'ratchet-settings-'));

describe('loadSettings', () => {
  it('has defaults that just work', () => {
    const cwd = dir();
    const s = loadSettings({ env: {}, cwd });
    expect(s.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(s.taskQueue).toBe('ratchet');
    expect(s.dataDir).toBe(path.join(cwd, '.ratchet'));
    expect(s.uiPort).toBe(8233);
  });

  it('lets the environment override the config file', () => {
    const cwd = dir();
    writeFileSync(
      path.join(cwd, 'ratchet.config.json'),
      JSON.stringify({ taskQueue: 'from-file', temporal: { namespace: 'ns-file' } }),
    );
    const s = loadSettings({ env: { RATCHET_TASK_QUEUE: 'from-env' }, cwd });
    expect(s.taskQueue).toBe('from-env');
    expect(s.temporal.namespace).toBe('ns-file');
  });

  it('names the bad setting and where it came from', () => {
    expect(() => loadSettings({ env: { TEMPORAL_ADDRESS: 'nonsense' }, cwd: dir() })).toThrow(
      /temporal\.address \(from TEMPORAL_ADDRESS\): expected host:port/,
    );
    expect(() => loadSettings({ env: { RATCHET_LOG_LEVEL: 'loud' }, cwd: dir() })).toThrow(
      /log\.level \(from RATCHET_LOG_LEVEL\)/,
    );
    const cwd = dir();
    writeFileSync(path.join(cwd, 'ratchet.config.json'), JSON.stringify({ uiPort: 70000 }));
    expect(() => loadSettings({ env: {}, cwd })).toThrow(/uiPort \(from ratchet.config.json\)/);
  });

  it('rejects unknown keys inside known sections, and broken files', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'ratchet.config.json'), '{ not json');
    expect(() => loadSettings({ env: {}, cwd })).toThrow(ConfigError);
    writeFileSync(
      path.join(cwd, 'ratchet.config.json'),
      JSON.stringify({ temporal: { adress: 'x:1' } }),
    );
    expect(() => loadSettings({ env: {}, cwd })).toThrow(/temporal/);
    expect(() => loadSettings({ env: {}, cwd, configFile: 'missing.json' })).toThrow(/not found/);
  });

  it('requires both halves of an mTLS pair', () => {
    expect(() => loadSettings({ env: { TEMPORAL_TLS_CERT: '/c.pem' }, cwd: dir() })).toThrow(
      /temporal\.tls\.keyPath/,
    );
  });

  it('links runs in the Web UI', () => {
    const s = loadSettings({ env: { RATCHET_UI_URL: 'https://ui.example/' }, cwd: dir() });
    expect(workflowUiUrl(s, 'agent-create-a b')).toBe(
      'https://ui.example/namespaces/default/workflows/agent-create-a%20b',
    );
  });
});
