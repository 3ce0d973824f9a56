// The ecosystem table: install commands recognised, what an install needs, manifest problems, and
// cache-mount targets resolved for the image's user and environment.
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { ECOSYSTEMS, cacheMounts, cacheMountTarget, userEnvAt, commandWords, homeDirectory, installEcosystem, installNeeds, manifestProblems } from '../../src/core/ecosystems.js';

describe('ecosystems', () => {
  it('covers every ecosystem the issue names', () => {
    expect(ECOSYSTEMS.map((e) => e.id).sort()).toEqual(
      ['apk', 'apt', 'bun', 'bundler', 'cargo', 'composer', 'dnf', 'dotnet', 'go', 'gradle', 'maven', 'npm', 'pip', 'pipenv', 'pnpm', 'poetry', 'uv', 'yarn'].sort(),
    );
  });

  it.each([
    ['npm ci', 'npm'], ['npm install --omit=dev', 'npm'], ['yarn', 'yarn'], ['yarn install --frozen-lockfile', 'yarn'],
    ['pnpm install --frozen-lockfile', 'pnpm'], ['pnpm fetch', 'pnpm'], ['bun install', 'bun'],
    ['pip install -r requirements.txt', 'pip'], ['python3 -m pip install -r r.txt', 'pip'], ['/usr/bin/pip3 install .', 'pip'],
    ['pipenv install --deploy --system', 'pipenv'], ['poetry install --no-root', 'poetry'], ['uv sync --locked', 'uv'],
    ['go mod download', 'go'], ['CGO_ENABLED=0 go build -o /app .', 'go'], ['cargo build --release', 'cargo'],
    ['mvn -B dependency:go-offline', 'maven'], ['./mvnw package', 'maven'], ['./gradlew build', 'gradle'],
    ['dotnet restore', 'dotnet'], ['bundle install', 'bundler'], ['composer install --no-dev', 'composer'],
    ['apt-get install -y curl', 'apt'], ['apk add --no-cache git', 'apk'], ['dnf install -y make', 'dnf'], ['sudo yum install -y git', 'dnf'],
  ])('`%s` is a %s install', (command, id) => {
    expect(installEcosystem(command)?.id).toBe(id);
  });

  it.each(['npm run build', 'npm install -g pnpm', 'go version', 'echo npm ci', 'apt-get update', 'pip --version', 'cargo --version'])('`%s` is not an install', (command) => {
    expect(installEcosystem(command)).toBeNull();
  });

  it('strips wrappers and variable assignments', () => {
    expect(commandWords('sudo -E env FOO=1 /usr/local/bin/npm ci')).toEqual(['npm', 'ci']);
    expect(commandWords('python -m pip install x')).toEqual(['pip', 'install', 'x']);
  });

  it.each([
    ['npm ci', true],
    ['npm install ./local-pkg', false],
    ['pip install --no-cache-dir -r requirements.txt -c constraints.txt', true],
    ['pip install -e .', false],
    ['pip install .', false],
    ['poetry install', false],
    ['poetry install --no-root --only main', true],
    ['uv sync --locked --no-install-project', true],
    ['uv sync --locked', false],
    ['go mod download', true],
    ['go build ./...', false],
    ['cargo fetch', false],
    ['cargo build --release', false],
    ['mvn -B dependency:go-offline', true],
    ['mvn package', false],
    ['composer install', false],
    ['composer install --no-scripts --no-autoloader', true],
  ])('`%s` needs nothing but its manifests: %s', (command, manifestsOnly) => {
    expect(installNeeds(command)?.manifestsOnly).toBe(manifestsOnly);
  });

  it('names the requirement files and the dependency-only step to add', () => {
    expect(installNeeds('pip install -r requirements/prod.txt --constraint=c.txt')?.requirementFiles).toEqual(['requirements/prod.txt', 'c.txt']);
    expect(installNeeds('go build -o /out/app .')?.dependencyStep).toBe('RUN go mod download');
    expect(installNeeds('poetry install')?.dependencyStep).toBe('RUN poetry install --no-root');
    expect(installNeeds('cargo build')?.dependencyStep).toMatch(/cargo chef cook/);
    expect(installNeeds('pip install flask')).toBeNull();
  });

  it('finds what in a manifest runs project code or reads other sources', () => {
    expect(manifestProblems('npm', 'package.json', JSON.stringify({ scripts: { build: 'tsc', test: 'jest' } }))).toEqual([]);
    expect(manifestProblems('npm', 'package.json', JSON.stringify({ scripts: { prepare: 'husky' } }))[0]).toMatch(/`prepare` script/);
    expect(manifestProblems('yarn', 'package.json', JSON.stringify({ workspaces: ['a'] }))[0]).toMatch(/workspaces/);
    expect(manifestProblems('npm', 'package.json', JSON.stringify({ dependencies: { lib: 'file:../lib' } }))[0]).toMatch(/local path/);
    expect(manifestProblems('pip', 'requirements.txt', 'flask\n# -e .\n')).toEqual([]);
    expect(manifestProblems('pip', 'requirements.txt', 'flask\n-e .\n')[0]).toMatch(/editable/);
    expect(manifestProblems('pip', 'requirements.txt', './libs/x\n')[0]).toMatch(/local path/);
    expect(manifestProblems('bundler', 'Gemfile', "source 'https://rubygems.org'\ngemspec\n")[0]).toMatch(/gemspec/);
  });

  it('resolves HOME from USER and ENV', () => {
    expect(homeDirectory({ user: null, env: {} })).toBe('/root');
    expect(homeDirectory({ user: 'node', env: {} })).toBe('/home/node');
    expect(homeDirectory({ user: 'app', env: { HOME: '/srv/app' } })).toBe('/srv/app');
    expect(homeDirectory({ user: '1000:1000', env: {} })).toBeNull();
  });

  it('proposes cache mounts for the image user, never on a directory that holds installed packages', () => {
    expect(cacheMountTarget('npm', { user: null, env: {} })).toBe('/root/.npm');
    expect(cacheMountTarget('npm', { user: 'node', env: {} })).toBe('/home/node/.npm');
    expect(cacheMountTarget('npm', { user: 'node', env: { npm_config_cache: '/tmp/npm' } })).toBe('/tmp/npm');
    expect(cacheMountTarget('pip', { user: null, env: {} })).toBe('/root/.cache/pip');
    expect(cacheMountTarget('pip', { user: 'app', env: { XDG_CACHE_HOME: '/cache' } })).toBe('/cache/pip');
    expect(cacheMountTarget('yarn', { user: null, env: {} })).toBe('/usr/local/share/.cache/yarn');
    expect(cacheMountTarget('yarn', { user: 'node', env: {} })).toBe('/home/node/.cache/yarn');
    expect(cacheMountTarget('pnpm', { user: null, env: { PNPM_HOME: '/pnpm' } })).toBe('/pnpm/store');
    expect(cacheMountTarget('go', { user: null, env: {} })).toBe('/root/.cache/go-build');
    expect(cacheMountTarget('apt', { user: null, env: {} })).toBe('/var/cache/apt');
    expect(cacheMountTarget('npm', { user: '1000', env: {} })).toBeNull();
    // Installed, not cached: the gem home, the cargo registry, the maven repository.
    expect(cacheMountTarget('bundler', { user: null, env: {} })).toBeNull();
    expect(cacheMountTarget('cargo', { user: null, env: {} })).toBeNull();
    expect(cacheMountTarget('maven', { user: null, env: {} })).toBeNull();
  });

  it('reads USER and ENV in effect at a line, through the stages a stage is built FROM', () => {
    const df = parseDockerfile('FROM node:22 AS base\nENV APP=/srv HOME=/home/app\nUSER app\nFROM base AS build\nENV npm_config_cache=${HOME}/cache CACHE=$UNKNOWN/x\nRUN npm ci\nUSER root\n');
    const u = userEnvAt(df, 6);
    expect(u).toEqual({ user: 'app', env: { APP: '/srv', HOME: '/home/app', npm_config_cache: '/home/app/cache' } });
    expect(cacheMountTarget('npm', u)).toBe('/home/app/cache');
    expect(userEnvAt(df, 2)).toEqual({ user: null, env: {} });
    expect(userEnvAt(parseDockerfile('FROM x\nENV PATH /usr/bin:/bin\nUSER node\nRUN npm ci\n'), 4)).toEqual({ user: 'node', env: { PATH: '/usr/bin:/bin' } });
    expect(cacheMountTarget('npm', userEnvAt(parseDockerfile('FROM x\nUSER node\nRUN npm ci\n'), 3))).toBe('/home/node/.npm');
  });
});

describe('cacheMounts', () => {
  const root = { user: null, env: {} };
  it('proposes the download cache, and for Go, cargo, Maven and Gradle the directories that hold the dependencies', () => {
    expect(cacheMounts('npm', root, 'node:22', 'npm ci')).toEqual([{ target: '/root/.npm' }]);
    expect(cacheMounts('go', root, 'golang:1.22', 'go mod download')).toEqual([{ target: '/go/pkg/mod', holdsInstalled: true }]);
    expect(cacheMounts('go', root, 'debian:12', 'go build ./...')).toEqual([{ target: '/root/go/pkg/mod', holdsInstalled: true }, { target: '/root/.cache/go-build' }]);
    expect(cacheMounts('go', { user: null, env: { GOMODCACHE: '/mod', GOCACHE: '/gc' } }, 'golang', 'go test ./...')).toEqual([{ target: '/mod', holdsInstalled: true }, { target: '/gc' }]);
    expect(cacheMounts('go', root, 'golang', 'go vet ./...')).toBeNull();
    expect(cacheMounts('cargo', root, 'docker.io/library/rust:1.80', 'cargo build')).toEqual([
      { target: '/usr/local/cargo/registry', holdsInstalled: true },
      { target: '/usr/local/cargo/git', holdsInstalled: true },
    ]);
    expect(cacheMounts('cargo', root, 'debian', 'cargo build')![0]!.target).toBe('/root/.cargo/registry');
    expect(cacheMounts('maven', root, 'maven:3', 'mvn package')).toEqual([{ target: '/root/.m2', holdsInstalled: true }]);
    expect(cacheMounts('gradle', root, 'gradle:8-jdk21', 'gradle build')).toEqual([{ target: '/home/gradle/.gradle', holdsInstalled: true }]);
    expect(cacheMounts('gradle', { user: null, env: { GRADLE_USER_HOME: '/cache/gradle' } }, 'gradle:8', 'gradle build')![0]!.target).toBe('/cache/gradle');
  });

  it('apt and dnf share with a lock; yarn 2+ has its own cache; bundler and .NET are not covered', () => {
    expect(cacheMounts('apt', root, 'debian', 'apt-get install -y curl')).toEqual([{ target: '/var/cache/apt', sharing: 'locked' }, { target: '/var/lib/apt', sharing: 'locked' }]);
    expect(cacheMounts('dnf', root, 'centos:7', 'yum install -y git')).toEqual([{ target: '/var/cache/yum', sharing: 'locked' }]);
    expect(cacheMounts('yarn', root, 'node', 'yarn install --immutable')).toEqual([{ target: '/root/.yarn/berry/cache' }]);
    expect(cacheMounts('bundler', root, 'ruby', 'bundle install')).toBeNull();
    expect(cacheMounts('dotnet', root, 'mcr.microsoft.com/dotnet/sdk:8.0', 'dotnet restore')).toBeNull();
    expect(cacheMounts('npm', { user: '1000', env: {} }, 'node', 'npm ci')).toBeNull();
  });
});
