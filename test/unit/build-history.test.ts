import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HISTORY_PER_KEY, cacheDir, historyKeyId, listHistory, saveToHistory } from '../../src/io/history.js';
import { resolveView, viewFromProgress } from '../../src/cli/commands/build.js';
import { parseBuildxVersion, supportsRawJson, environmentError, DAEMON_DOWN } from '../../src/io/docker.js';

describe('history', () => {
  it('lives under the user cache directory of each platform', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u')).toBe('/x/cache/buildlens');
    expect(cacheDir({}, 'linux', '/home/u')).toBe('/home/u/.cache/buildlens');
    expect(cacheDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/buildlens');
    expect(cacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toContain('buildlens');
  });

  it('keys by context, Dockerfile, target, platform and builder, and caps the count per key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bl-hist-'));
    try {
      const key = { context: '/src/app', dockerfile: '/src/app/Dockerfile', target: null, platform: null, builder: null };
      expect(historyKeyId(key)).not.toBe(historyKeyId({ ...key, target: 'prod' }));
      for (let i = 0; i < HISTORY_PER_KEY + 3; i++) await saveToHistory(root, key, `{"n":${i}}`, new Date(1e12 + i * 1000));
      const files = await listHistory(root, key);
      expect(files).toHaveLength(HISTORY_PER_KEY);
      expect(readFileSync(files[files.length - 1]!, 'utf8')).toBe(`{"n":${HISTORY_PER_KEY + 2}}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('build: views and environment', () => {
  it('reads docker --progress as the view, and auto as live on a terminal outside CI', () => {
    expect(viewFromProgress('plain')).toBe('plain');
    expect(viewFromProgress('rawjson')).toBe('plain');
    expect(viewFromProgress('tty')).toBe('live');
    expect(viewFromProgress('quiet')).toBe('quiet');
    expect(() => viewFromProgress('fancy')).toThrow(/--progress/);
    expect(resolveView('auto', { write() {}, isTTY: true }, {})).toBe('live');
    expect(resolveView('auto', { write() {}, isTTY: true }, { CI: 'true' })).toBe('plain');
    expect(resolveView('auto', { write() {} }, {})).toBe('plain');
  });

  it('knows which buildx has rawjson, and the daemon-down message', () => {
    expect(supportsRawJson(parseBuildxVersion('github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3'))).toBe(true);
    expect(supportsRawJson(parseBuildxVersion('github.com/docker/buildx v0.11.2 9872040'))).toBe(false);
    expect(supportsRawJson(parseBuildxVersion('github.com/docker/buildx v1.0.0 abc'))).toBe(true);
    expect(environmentError('ERROR: Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?')).toBe(DAEMON_DOWN);
    expect(environmentError('ERROR: failed to solve: exit code: 1')).toBeNull();
  });
});
