// Integration tests run real builds on the local engine. Without one they are skipped, unless
// BUILDLENS_REQUIRE_DOCKER=1 (as .ci/run sets): then a missing engine fails the run.
import { execFileSync } from 'node:child_process';

export default async function globalSetup() {
  let ok = false;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20000 });
    execFileSync('docker', ['image', 'inspect', 'localbase/busybox', 'localbase/toolchains'], { stdio: 'pipe', timeout: 20000 });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.BUILDLENS_REQUIRE_DOCKER === '1') {
    throw new Error('BUILDLENS_REQUIRE_DOCKER=1 but no Docker engine with localbase images answers: run ../shared/engine/docker-up');
  }
  process.env.BUILDLENS_HAVE_DOCKER = ok ? '1' : '0';
}
