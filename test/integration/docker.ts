// Helpers for integration tests: real builds on the local engine, never mocked.
import { execa } from 'execa';

export const haveDocker = process.env.BUILDLENS_HAVE_DOCKER === '1';

/** `describe` when an engine answers, else a skipped block that says why. */
export const describeDocker: jest.Describe = haveDocker ? describe : (describe.skip as jest.Describe);

export interface BuildRun { exitCode: number; output: string }

/** Run a real build of `dir` and return its combined output (the progress stream). */
export async function dockerBuild(
  dir: string,
  format: 'plain' | 'rawjson' | 'legacy',
  extra: string[] = [],
): Promise<BuildRun> {
  const args = format === 'legacy'
    ? ['build', '--network=none', ...extra, dir]
    : ['buildx', 'build', `--progress=${format}`, '--network=none', ...extra, dir];
  const env = format === 'legacy' ? { DOCKER_BUILDKIT: '0' } : {};
  const r = await execa('docker', args, { env, all: true, reject: false });
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
}
