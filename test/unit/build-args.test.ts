import { DockerArgsError, splitBuildCommandLine } from '../../src/core/docker-args.js';

describe('splitBuildCommandLine', () => {
  it('passes docker arguments through unchanged and finds the context', () => {
    const { own, docker } = splitBuildCommandLine(['-t', 'app', '--build-arg', 'V=1', '.']);
    expect(docker.args).toEqual(['-t', 'app', '--build-arg', 'V=1', '.']);
    expect(docker.context).toBe('.');
    expect(docker.tags).toEqual(['app']);
    expect(docker.buildArgs).toEqual([{ name: 'V', value: '1' }]);
    expect(own).toEqual({ redact: [], budgets: {}, noColor: false, noHistory: false, annotations: false, help: false });
  });

  it('takes its own long flags out, before `--` only', () => {
    const { own, docker } = splitBuildCommandLine(['--report', 'out.json', '--view=plain', '--log', 'b.log', '--', '-t', 'app', '-f', 'docker/Dockerfile', '.']);
    expect(own.report).toBe('out.json');
    expect(own.view).toBe('plain');
    expect(own.log).toBe('b.log');
    expect(docker.args).toEqual(['-t', 'app', '-f', 'docker/Dockerfile', '.']);
    expect(docker.dockerfile).toBe('docker/Dockerfile');
    // After `--` a flag that looks like ours is docker's.
    const after = splitBuildCommandLine(['--', '--view', '.']);
    expect(after.own.view).toBeUndefined();
    expect(after.docker.args).toEqual(['--view', '.']);
  });

  it('knows which docker flags take a value, so a value is never the context', () => {
    const { docker } = splitBuildCommandLine([
      '--target', 'prod', '--platform', 'linux/arm64', '--builder', 'b1', '--cache-from', 'type=local,src=/c',
      '--secret', 'id=npm,env=NPM_TOKEN', '--ssh', 'default', '--network', 'none', '--build-context', 'x=../x',
      '-o', 'type=local,dest=out', '--label', 'a=b', '--pull', '--no-cache', 'ctx',
    ]);
    expect(docker.context).toBe('ctx');
    expect(docker.target).toBe('prod');
    expect(docker.platform).toBe('linux/arm64');
    expect(docker.builder).toBe('b1');
    expect(docker.secrets).toEqual([{ id: 'npm', env: 'NPM_TOKEN', src: null }]);
    expect(docker.outputs).toEqual(['type=local,dest=out']);
  });

  it('reads short clusters: -qt app, -tapp, and drops -q and --progress (buildlens sets them)', () => {
    const a = splitBuildCommandLine(['-qt', 'app', '--progress', 'plain', '.']).docker;
    expect(a.quiet).toBe(true);
    expect(a.tags).toEqual(['app']);
    expect(a.progress).toBe('plain');
    expect(a.args).toEqual(['-t', 'app', '.']);
    const b = splitBuildCommandLine(['-tapp', '--quiet', '--progress=rawjson', '-']).docker;
    expect(b.tags).toEqual(['app']);
    expect(b.args).toEqual(['-tapp', '-']);
    expect(b.context).toBe('-');
  });

  it('collects --redact names, and a build-arg read from the environment', () => {
    const { own, docker } = splitBuildCommandLine(['--redact', 'DB_URL', '--redact=A,B', '--build-arg', 'NPM_TOKEN', '.']);
    expect(own.redact).toEqual(['DB_URL', 'A', 'B']);
    expect(docker.buildArgs).toEqual([{ name: 'NPM_TOKEN', value: null }]);
  });

  it('reads the flags that disable or re-resolve the cache, and passes them on unchanged', () => {
    const a = splitBuildCommandLine(['--no-cache', '--no-cache-filter', 'build,test', '--pull', '.']).docker;
    expect(a).toMatchObject({ noCache: true, noCacheFilter: ['build', 'test'], pull: true });
    expect(a.args).toEqual(['--no-cache', '--no-cache-filter', 'build,test', '--pull', '.']);
    const b = splitBuildCommandLine(['--no-cache=false', '--pull=false', '--no-cache-filter=x', '.']).docker;
    expect(b).toMatchObject({ noCache: false, noCacheFilter: ['x'], pull: false });
    expect(splitBuildCommandLine(['.']).docker).toMatchObject({ noCache: false, noCacheFilter: [], pull: false });
  });

  it('refuses two contexts and a missing value', () => {
    expect(() => splitBuildCommandLine(['a', 'b'])).toThrow(DockerArgsError);
    expect(() => splitBuildCommandLine(['--report'])).toThrow(/--report/);
    expect(() => splitBuildCommandLine(['.', '-t'])).toThrow(/-t/);
  });
});
