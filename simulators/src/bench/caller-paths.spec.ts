import { resolveCallerPaths } from './caller-paths.js';

describe('resolveCallerPaths', () => {
  it('makes relative path options absolute against the caller, in both option forms', () => {
    expect(
      resolveCallerPaths('ingest', ['--out-dir', 'out', '--entry=build/main.js', '--devices', '10'], '/home/me/work'),
    ).toEqual(['--out-dir', '/home/me/work/out', '--entry=/home/me/work/build/main.js', '--devices', '10']);
  });

  it('leaves absolute paths and other values alone', () => {
    expect(resolveCallerPaths('ingest', ['--out-dir', '/tmp/x', '--duration', '30'], '/home/me')).toEqual([
      '--out-dir',
      '/tmp/x',
      '--duration',
      '30',
    ]);
  });

  it("resolves the profile commands' files but not their count or --help", () => {
    expect(resolveCallerPaths('profile-compare', ['a.cpuprofile', '../b.cpuprofile', '30'], '/home/me/work')).toEqual([
      '/home/me/work/a.cpuprofile',
      '/home/me/b.cpuprofile',
      '30',
    ]);
    expect(resolveCallerPaths('profile', ['--help'], '/home/me')).toEqual(['--help']);
  });
});
