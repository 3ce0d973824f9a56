// Which ignore file a build reads: `<Dockerfile>.dockerignore` beside the Dockerfile wins over
// DIR/.dockerignore (BuildKit; the legacy builder reads DIR/.dockerignore only).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function ignoreFileFor(contextAbs: string, dockerfileAbs: string): string {
  const beside = `${dockerfileAbs}.dockerignore`;
  return existsSync(beside) ? beside : resolve(contextAbs, '.dockerignore');
}
