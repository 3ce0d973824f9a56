import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { changedFiles, fileDigest, imageRefs, sourceMatcher, sourcePatterns, stepModel, type StepModelInput } from '../../src/core/fingerprint.js';
import { digestContext, hashArgValue, loadSalt, saltId } from '../../src/io/fingerprint.js';

const input = (buildArgs: StepModelInput['buildArgs'] = [], target: string | null = null): StepModelInput => ({
  target,
  buildArgs,
  hashArg: (name, value) => `h(${name}=${value})`,
  digestText: (t) => `d(${t.length})`,
});

describe('stepModel', () => {
  const df = parseDockerfile([
    'ARG BASE=localbase/busybox',
    'FROM $BASE AS build',
    'ARG VERSION=1',
    'ENV A=1',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'COPY ./src/${VERSION} ./src',
    'FROM localbase/toolchains AS unused',
    'RUN echo never',
    'FROM build',
    'ARG OTHER',
    'COPY --from=build /app /app',
    'COPY --from=localbase/toolchains /etc/hostname /h',
    'RUN --mount=type=bind,source=conf,target=/conf --mount=type=secret,id=tok cat /conf/x',
    '',
  ].join('\n'));

  it('keeps the stages the target reaches, each step with its parents, ARGs in scope and sources', () => {
    const steps = stepModel(df, input([{ name: 'VERSION', value: '2' }]));
    expect(steps.map((s) => `${s.line} ${s.keyword}`)).toEqual(['2 FROM', '5 WORKDIR', '6 COPY', '7 RUN', '8 COPY', '11 FROM', '13 COPY', '14 COPY', '15 RUN']);
    const by = new Map(steps.map((s) => [s.line, s]));
    expect(by.get(2)!.image).toEqual({ ref: 'docker.io/localbase/busybox:latest', imageId: null, repoDigest: null });
    expect(by.get(2)!.args).toEqual({ BASE: 'h(BASE=localbase/busybox)' });
    expect(by.get(5)!.parents).toEqual([2]);
    expect(by.get(6)!.sources).toEqual(['package.json', 'package-lock.json']);
    // RUN: every ARG in scope is in its key (the value given on the command line wins), and the ENV before it.
    expect(by.get(7)!.args).toEqual({ VERSION: 'h(VERSION=2)' });
    expect(by.get(7)!.settings).toEqual([{ line: 4, text: 'ENV A=1' }]);
    // COPY: only the ARGs its text names; a source with a variable is expanded.
    expect(by.get(6)!.args).toEqual({});
    expect(by.get(8)!.args).toEqual({ VERSION: 'h(VERSION=2)' });
    // A source naming a variable is kept as written (its value stays out) and stands for the whole context.
    expect(by.get(8)!.sources).toEqual(['./src/${VERSION}']);
    // FROM build: builds on the last step of `build`; COPY --from=build too; --from=image is an image.
    expect(by.get(11)!.parents).toEqual([8]);
    expect(by.get(11)!.image).toBeUndefined();
    expect(by.get(13)!.parents).toEqual([11, 8]);
    expect(by.get(14)!.image?.ref).toBe('docker.io/localbase/toolchains:latest');
    // A bind mount is a source; a secret mount is not in the key: only its id, as written, is in the text.
    expect(by.get(15)!.sources).toEqual(['conf']);
    expect(by.get(15)!.args).toEqual({ OTHER: null });
    expect(imageRefs(steps)).toEqual(['docker.io/localbase/busybox:latest', 'docker.io/localbase/toolchains:latest']);
    expect(sourcePatterns(steps)).toEqual(['package.json', 'package-lock.json', './src/${VERSION}', 'conf']);
  });

  it('never keeps a build-arg value in clear', () => {
    const steps = stepModel(df, input([{ name: 'VERSION', value: 's3cr3t-value' }]));
    const salted = stepModel(df, { ...input([{ name: 'VERSION', value: 's3cr3t-value' }]), hashArg: (n, v) => hashArgValue('salt', n, v) });
    expect(JSON.stringify(salted)).not.toContain('s3cr3t-value');
    expect(steps.find((s) => s.line === 7)!.args.VERSION).toBe('h(VERSION=s3cr3t-value)');
  });
});

describe('changedFiles and sourceMatcher', () => {
  it('matches a source, everything below it, and globs, as fsutil does', () => {
    const m = sourceMatcher(['src', 'package*.json']);
    expect(['src/a.js', 'src/x/y.js', 'package.json', 'package-lock.json', 'README.md', 'srcx'].filter(m)).toEqual(['src/a.js', 'src/x/y.js', 'package.json', 'package-lock.json']);
    expect(sourceMatcher(['.'])('anything')).toBe(true);
  });

  it('tells content from mode, and added from removed, under the sources only', () => {
    const before = { 'a.js': fileDigest('c1', 0o100644, false), 'b.sh': fileDigest('c2', 0o100644, false), 'gone.txt': fileDigest('c3', 0o644, false), 'other/x': fileDigest('c4', 0o644, false) };
    const after = { 'a.js': fileDigest('c9', 0o100644, false), 'b.sh': fileDigest('c2', 0o100755, false), 'new.txt': fileDigest('c5', 0o644, false), 'other/x': fileDigest('c0', 0o644, false) };
    expect(changedFiles(before, after, ['a.js', 'b.sh', 'gone.txt', 'new.txt'])).toEqual([
      { path: 'a.js', change: 'content' },
      { path: 'b.sh', change: 'mode' },
      { path: 'gone.txt', change: 'removed' },
      { path: 'new.txt', change: 'added' },
    ]);
  });
});

describe('io/fingerprint', () => {
  let dir = '';
  let cache = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-fp-'));
    cache = mkdtempSync(join(tmpdir(), 'buildlens-fp-cache-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('digests the files under the sources after the ignore file, and reuses a digest whose size, mtime and inode did not change', async () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.js'), 'a');
    writeFileSync(join(dir, 'src', 'b.log'), 'b');
    writeFileSync(join(dir, 'README.md'), 'r');
    writeFileSync(join(dir, '.dockerignore'), '**/*.log\n');
    const old = new Date(Date.now() - 60_000);
    for (const f of ['src/a.js', 'src/b.log', 'README.md']) utimesSync(join(dir, f), old, old);
    const first = await digestContext(dir, join(dir, 'Dockerfile'), ['src'], cache);
    expect(Object.keys(first.files)).toEqual(['src/a.js']);
    expect(first.stats).toEqual({ files: 1, hashed: 1, reused: 0 });
    // Another Dockerfile of the same context copying other files keeps these digests in the cache.
    expect((await digestContext(dir, join(dir, 'Dockerfile'), ['README.md'], cache)).stats).toEqual({ files: 1, hashed: 1, reused: 0 });
    const again = await digestContext(dir, join(dir, 'Dockerfile'), ['src'], cache);
    expect(again.stats).toEqual({ files: 1, hashed: 0, reused: 1 });
    expect(again.files).toEqual(first.files);
    // chmod: the digest is reused (content did not change), the mode is read afresh.
    chmodSync(join(dir, 'src', 'a.js'), 0o755);
    const chmodded = await digestContext(dir, join(dir, 'Dockerfile'), ['src'], cache);
    expect(chmodded.files['src/a.js']).toMatch(/:755$/);
    expect(chmodded.files['src/a.js']!.split(':')[0]).toBe(first.files['src/a.js']!.split(':')[0]);
    // An edit that keeps the size: the mtime changed, so it is hashed again.
    writeFileSync(join(dir, 'src', 'a.js'), 'z');
    const edited = await digestContext(dir, join(dir, 'Dockerfile'), ['src'], cache);
    expect(edited.stats.hashed).toBe(1);
    expect(edited.files['src/a.js']).not.toBe(chmodded.files['src/a.js']);
  });

  it('does not trust a digest taken within the same moment the file was written (racy)', async () => {
    writeFileSync(join(dir, 'a'), 'a');
    await digestContext(dir, join(dir, 'Dockerfile'), ['.'], cache);
    const again = await digestContext(dir, join(dir, 'Dockerfile'), ['.'], cache);
    expect(again.stats.hashed).toBe(1);
    expect(statSync(join(dir, 'a')).size).toBe(1);
  });

  it('creates the salt once in the cache directory, or takes BUILDLENS_SALT; a report keeps only its id', async () => {
    const env = { BUILDLENS_CACHE_DIR: cache };
    const salt = await loadSalt(env);
    expect(existsSync(join(cache, 'salt'))).toBe(true);
    expect(statSync(join(cache, 'salt')).mode & 0o777).toBe(0o600);
    expect(await loadSalt(env)).toBe(salt);
    expect(readFileSync(join(cache, 'salt'), 'utf8').trim()).toBe(salt);
    expect(await loadSalt({ ...env, BUILDLENS_SALT: 'ci-salt' })).toBe('ci-salt');
    expect(saltId('ci-salt')).not.toContain('ci-salt');
    expect(saltId('ci-salt')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashArgValue('a', 'X', 'v')).not.toBe(hashArgValue('b', 'X', 'v'));
    expect(hashArgValue('a', 'X', 'v')).not.toBe(hashArgValue('a', 'Y', 'v'));
  });
});
