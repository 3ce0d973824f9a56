// Running docker: which progress source the installed buildx offers, and the build process itself
// (spawned with execa, its output streamed, never buffered whole). Environment problems — docker not
// installed, buildx missing, the daemon down — become one sentence each (DockerEnvError, exit 2).
// execa is loaded when the build is spawned, so that its import overlaps the buildx probe.
import { execFile } from 'node:child_process';
import type { ResultPromise } from 'execa';
import type { SourceFormat } from '../core/model.js';

export class DockerEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerEnvError';
  }
}

export const DOCKER_MISSING = 'docker is not installed (or not on PATH): install Docker (https://docs.docker.com/get-docker/) and try again.';
export const BUILDX_MISSING = 'docker buildx is not installed: install the buildx plugin (https://github.com/docker/buildx#installing), or set DOCKER_BUILDKIT=0 to use the legacy builder.';
export const DAEMON_DOWN = 'the Docker daemon is not reachable: start Docker (or check DOCKER_HOST / DOCKER_CONTEXT) and try again.';

/** The first version of buildx with `--progress=rawjson`. */
const RAWJSON_SINCE: [number, number] = [0, 12];

export interface BuildxInfo {
  version: string | null;
  rawjson: boolean;
}

/** `github.com/docker/buildx 0.13.1+ds1 …` or `… v0.17.1 …` → [0, 13]. */
export function parseBuildxVersion(text: string): [number, number] | null {
  const m = /\bv?(\d+)\.(\d+)\.\d+/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function supportsRawJson(version: [number, number] | null): boolean {
  if (version === null) return false;
  return version[0] > RAWJSON_SINCE[0] || (version[0] === RAWJSON_SINCE[0] && version[1] >= RAWJSON_SINCE[1]);
}

/** Ask buildx its version (one fast call, no daemon needed): says whether docker and buildx exist and whether rawjson is there. */
export async function probeBuildx(env: Record<string, string | undefined>): Promise<BuildxInfo> {
  const r = await new Promise<{ code: string | number | null; stdout: string; stderr: string }>((res) => {
    execFile('docker', ['buildx', 'version'], { env: env as NodeJS.ProcessEnv, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException).code ?? 1) : 0;
      res({ code: code as string | number | null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  if (r.code === 'ENOENT') throw new DockerEnvError(DOCKER_MISSING);
  // Any other failure of `docker buildx version` (not a docker command, a broken plugin) means no usable buildx.
  if (r.code !== 0) throw new DockerEnvError(BUILDX_MISSING);
  const version = parseBuildxVersion(r.stdout);
  return { version: version ? `${version[0]}.${version[1]}` : null, rawjson: supportsRawJson(version) };
}

/** The environment problem a failed docker printed, if it printed one (checked on its output, not with an extra call). */
export function environmentError(text: string): string | null {
  if (/Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|dial unix [^ ]*docker\.sock|failed to connect to the docker API/i.test(text)) return DAEMON_DOWN;
  if (/permission denied while trying to connect to the Docker daemon/i.test(text)) {
    return 'permission denied on the Docker daemon socket: add your user to the docker group (or use sudo) and try again.';
  }
  if (/'buildx' is not a docker command|unknown command "buildx"/i.test(text)) return BUILDX_MISSING;
  return null;
}

export interface SpawnBuildOptions {
  format: SourceFormat;
  /** docker's arguments after `build` (or `buildx build`), progress excluded. */
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Give docker's stdout our own file descriptor (binary-safe, untouched); else it is piped. */
  inheritStdout: boolean;
}

/** Spawn the build. The caller reads stderr (and stdout when piped) and waits on the result. */
export async function spawnBuild(opts: SpawnBuildOptions): Promise<{ child: ResultPromise }> {
  const { execa } = await import('execa');
  const progress = opts.format === 'legacy' ? [] : [`--progress=${opts.format}`];
  const argv = opts.format === 'legacy' ? ['build', ...opts.args] : ['buildx', 'build', ...progress, ...opts.args];
  const env: Record<string, string | undefined> = { ...opts.env };
  if (opts.format === 'legacy') env.DOCKER_BUILDKIT = '0';
  // Wrapped in an object: a ResultPromise is thenable, and returning it bare from an async function would await it.
  const child = execa('docker', argv, {
    env,
    extendEnv: false,
    cwd: opts.cwd,
    reject: false,
    buffer: false,
    stdin: 'inherit',
    stdout: opts.inheritStdout ? 'inherit' : 'pipe',
    stderr: 'pipe',
    // Signals are forwarded by the caller: execa must not kill docker on its own, but does when buildlens dies.
    cleanup: true,
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return { child };
}
