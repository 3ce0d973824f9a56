// The fingerprints of a build, measured: the context files under the steps' sources digested (content
// and mode, after the ignore file, with the project's own scanner and matcher), a digest cache so that
// a file whose size, mtime and inode did not change is not read again, the salt build-arg values are
// hashed with, and the base images as the engine knows them (`docker image inspect`). The model itself
// is src/core/fingerprint.ts.
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContextFile } from '../../analyzers/types.js';
import type { BuildArgValue, Fingerprints, ImageFingerprint, StepFingerprint } from '../core/fingerprint.js';
import { FINGERPRINTS_VERSION, fileDigest, imageRefs, sourceMatcher, sourcePatterns, stepModel } from '../core/fingerprint.js';
import { cacheDir } from './history.js';
import { ignoreFileFor } from './ignore-file.js';

// ---------------------------------------------------------------------------------------------
// Salt

/** The salt: `BUILDLENS_SALT`, else a random one kept in the user's buildlens cache directory (created once). */
export async function loadSalt(env: Record<string, string | undefined>): Promise<string> {
  if (env.BUILDLENS_SALT) return env.BUILDLENS_SALT;
  const dir = cacheDir(env);
  const file = join(dir, 'salt');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    // none yet
  }
  await mkdir(dir, { recursive: true });
  const salt = randomBytes(32).toString('hex');
  try {
    await writeFile(file, salt + '\n', { flag: 'wx', mode: 0o600 });
    return salt;
  } catch {
    // Another buildlens created it first: use theirs.
    return (await readFile(file, 'utf8')).trim();
  }
}

/** What a report records of the salt: a hash of it, never the salt. */
export function saltId(salt: string): string {
  return createHash('sha256').update('buildlens salt id\0' + salt).digest('hex').slice(0, 16);
}

/** A build-arg value as a report keeps it: HMAC-SHA256 keyed by the salt, over the name and the value. */
export function hashArgValue(salt: string, name: string, value: string): string {
  return createHmac('sha256', salt).update(name + '\0' + value).digest('hex').slice(0, 32);
}

export function hostId(): string {
  return createHash('sha256').update('buildlens host\0' + hostname()).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// File digests, with a cache keyed by path, size, mtime and inode

interface DigestCacheFile {
  version: 1;
  root: string;
  /** path → [size, mtimeMs, ino, content digest, when the digest was taken (ms)] */
  entries: Record<string, [number, number, number, string, number]>;
}

/** A digest taken less than this after the file's mtime is not reused: the file may change again in the same clock tick (git's "racy" case). */
const RACY_MS = 2000;
const CHUNK = 1 << 20;

export interface DigestStats {
  files: number;
  hashed: number;
  reused: number;
}

function digestCachePath(cacheRoot: string, contextRoot: string): string {
  return join(cacheRoot, 'digests', createHash('sha256').update(contextRoot).digest('hex').slice(0, 16) + '.json');
}

function contentDigest(abs: string, buffer: Buffer): string {
  const h = createHash('sha256');
  const fd = openSync(abs, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      h.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * Digest the files (scanned with `withStats`) that `match` accepts: `<content digest>:<mode>` by
 * path. Unreadable files are left out (docker fails on them anyway).
 */
export async function digestFiles(root: string, files: readonly ContextFile[], match: (path: string) => boolean, cacheRoot: string | null): Promise<{ files: Record<string, string>; stats: DigestStats }> {
  let cache: DigestCacheFile = { version: 1, root, entries: {} };
  const cachePath = cacheRoot !== null ? digestCachePath(cacheRoot, root) : null;
  if (cachePath !== null) {
    try {
      const read = JSON.parse(await readFile(cachePath, 'utf8')) as DigestCacheFile;
      if (read.version === 1 && read.root === root && read.entries && typeof read.entries === 'object') cache = read;
    } catch {
      // no cache yet, or unreadable: start afresh
    }
  }
  const out: Record<string, string> = {};
  const next: DigestCacheFile['entries'] = {};
  const stats: DigestStats = { files: 0, hashed: 0, reused: 0 };
  const buffer = Buffer.allocUnsafe(CHUNK);
  const now = Date.now();
  for (const f of files) {
    if (!match(f.path)) {
      // Kept for another Dockerfile of the same context that copies it.
      const known = cache.entries[f.path];
      if (known) next[f.path] = known;
      continue;
    }
    const st = f.stat;
    const abs = `${root}/${f.path}`;
    const symlink = f.kind === 'symlink';
    let digest: string;
    try {
      if (symlink) {
        digest = createHash('sha256').update(readlinkSync(abs)).digest('hex').slice(0, 32);
      } else {
        const known = st ? cache.entries[f.path] : undefined;
        if (st && known && known[0] === f.size && known[1] === st.mtimeMs && known[2] === st.ino && known[4] - st.mtimeMs > RACY_MS) {
          digest = known[3];
          next[f.path] = known;
          stats.reused++;
        } else {
          digest = contentDigest(abs, buffer);
          if (st) next[f.path] = [f.size, st.mtimeMs, st.ino, digest, now];
          stats.hashed++;
        }
      }
    } catch {
      continue;
    }
    stats.files++;
    out[f.path] = fileDigest(digest, st?.mode ?? (symlink ? 0o777 : 0o644), symlink);
  }
  if (cachePath !== null && stats.hashed > 0) {
    try {
      await mkdir(join(cacheRoot!, 'digests'), { recursive: true });
      const tmp = `${cachePath}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ version: 1, root, entries: next } satisfies DigestCacheFile));
      await rename(tmp, cachePath);
    } catch {
      // the cache is an optimisation
    }
  }
  return { files: out, stats };
}

/**
 * Digest the files under `sources` of the context as BuildKit sees it (the ignore file applied):
 * `scanned` when the caller scanned it with stats already, else scanned here.
 */
export async function digestContext(root: string, dockerfileAbs: string, sources: readonly string[], cacheRoot: string | null, scanned: readonly ContextFile[] | null = null): Promise<{ files: Record<string, string>; stats: DigestStats }> {
  if (sources.length === 0) return { files: {}, stats: { files: 0, hashed: 0, reused: 0 } };
  if (scanned) return digestFiles(root, scanned, sourceMatcher(sources), cacheRoot);
  const [{ Dockerignore }, { ContextScanner }] = await Promise.all([import('../core/dockerignore.js'), import('./context-scanner.js')]);
  const ignoreAbs = ignoreFileFor(root, dockerfileAbs);
  let ignore = null;
  try {
    ignore = Dockerignore.parse(await readFile(ignoreAbs, 'utf8'));
  } catch {
    // none, or one docker refuses (the build says so): nothing excluded
  }
  const scan = new ContextScanner(root).scan({ ignore, withStats: true });
  return digestFiles(root, scan.files, sourceMatcher(sources), cacheRoot);
}

// ---------------------------------------------------------------------------------------------
// Images

function inspectImage(ref: string, env: Record<string, string | undefined>): Promise<Omit<ImageFingerprint, 'ref'>> {
  return new Promise((res) => {
    execFile('docker', ['image', 'inspect', '--format', '{{.Id}} {{json .RepoDigests}}', ref], { env: env as NodeJS.ProcessEnv, timeout: 10_000 }, (err, stdout) => {
      if (err) return res({ imageId: null, repoDigest: null });
      const [id, digests] = stdout.trim().split(' ');
      let repoDigest: string | null = null;
      try {
        const list = JSON.parse(digests ?? '[]') as string[];
        repoDigest = Array.isArray(list) && typeof list[0] === 'string' ? list[0] : null;
      } catch {
        // none
      }
      res({ imageId: id?.startsWith('sha256:') ? id : null, repoDigest });
    });
  });
}

/** The engine's image ID and repo digest of each reference (null when the engine does not have it, e.g. the docker-container driver). */
export async function inspectImages(refs: readonly string[], env: Record<string, string | undefined>): Promise<Map<string, Omit<ImageFingerprint, 'ref'>>> {
  const found = await Promise.all(refs.map((r) => inspectImage(r, env)));
  return new Map(refs.map((r, i) => [r, found[i]!]));
}

/** Fill the steps' images from `docker image inspect`. */
export function withImages(steps: StepFingerprint[], images: ReadonlyMap<string, Omit<ImageFingerprint, 'ref'>>): void {
  for (const s of steps) {
    if (!s.image) continue;
    const i = images.get(s.image.ref);
    if (i) s.image = { ref: s.image.ref, ...i };
  }
}

// ---------------------------------------------------------------------------------------------
// All of it

export interface CollectOptions {
  contextAbs: string;
  dockerfileAbs: string;
  target: string | null;
  platform: string | null;
  buildArgs: readonly BuildArgValue[];
  flags: Fingerprints['flags'];
  env: Record<string, string | undefined>;
  /** Where the digest cache goes; null: no cache. */
  cacheRoot: string | null;
  /** Inspect the images now (false: the caller calls `withImages` after the build, as with `--pull`). */
  inspectNow: boolean;
  /** The context scanned with stats by the caller (`build` scans once for the analyzers and for this); null: scanned here. */
  scanned?: Promise<readonly ContextFile[] | null>;
}

export interface Collected {
  fingerprints: Fingerprints;
  stats: DigestStats;
}

/** Everything but the builder (known once the build printed it): the caller fills `builder`. */
export async function collectFingerprints(o: CollectOptions): Promise<Collected | null> {
  let text: string;
  try {
    text = await readFile(o.dockerfileAbs, 'utf8');
  } catch {
    return null;
  }
  const { parseDockerfile } = await import('../core/dockerfile.js');
  const salt = await loadSalt(o.env);
  const steps = stepModel(parseDockerfile(text), {
    target: o.target,
    buildArgs: o.buildArgs,
    hashArg: (name, value) => hashArgValue(salt, name, value),
    digestText: (t) => createHash('sha256').update(t).digest('hex').slice(0, 32),
  });
  const images = o.inspectNow ? inspectImages(imageRefs(steps), o.env) : null;
  const scanned = o.scanned ? await o.scanned.catch(() => null) : null;
  const { files, stats } = await digestContext(o.contextAbs, o.dockerfileAbs, sourcePatterns(steps), o.cacheRoot, scanned);
  if (images) withImages(steps, await images);
  return {
    fingerprints: {
      version: FINGERPRINTS_VERSION,
      saltId: saltId(salt),
      hostId: hostId(),
      builder: { name: null, driver: null },
      flags: o.flags,
      target: o.target,
      platform: o.platform,
      files,
      steps,
    },
    stats,
  };
}
