import { areaOf, summariseProfile, type CpuProfile } from './profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

describe('summariseProfile', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 12_000,
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 8] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('parse', 'file:///w/node_modules/mqtt-packet/parser.js', 9) },
      {
        id: 4,
        callFrame: frame('ingest', 'file:///w/dist/apps/broker/src/telemetry/telemetry-ingestor.js', 19),
        children: [6],
      },
      { id: 5, callFrame: frame('(garbage collector)') },
      { id: 6, callFrame: frame('parse', 'file:///w/node_modules/mqtt-packet/parser.js', 9) },
      { id: 7, callFrame: frame('writev') },
      { id: 8, callFrame: frame('uncork', 'file:///w/node_modules/mqtt-packet/writeToStream.js', 79), children: [9] },
      { id: 9, callFrame: frame('writevGeneric', 'node:internal/stream_base_commons', 122), children: [7] },
    ],
    // The time until the next sample belongs to a sample: parse gets 3000 (node 3) + 1000 (node 6) µs,
    // ingest 2000, idle 4000, GC 500, writev 800.
    samples: [3, 4, 2, 5, 6, 7, 3],
    timeDeltas: [0, 3000, 2000, 4000, 500, 1000, 800, 0],
  };
  const summary = summariseProfile(profile);

  it('sums self time by function across nodes of the same function, and leaves idle out of the busy share', () => {
    expect(summary.idleMs).toBe(4);
    expect(summary.busyMs).toBe(7); // 3 + 2 + 0.5 + 1 + 0.8 = 7.3 ms
    expect(summary.functions[0]).toEqual({
      name: 'parse  node_modules/mqtt-packet/parser.js:10',
      selfMs: 4,
      percent: 54.8,
    });
    expect(summary.functions.map((f) => f.name)).toContain('(garbage collector)');
  });

  it('counts only the samples taken within a window when given one (a load phase without the start-up)', () => {
    // Samples fall at 0, 3000, 5000, 9000, 9500, 10500 and 11300 µs: 2500–9200 holds ingest, idle and GC.
    const windowed = summariseProfile(profile, 25, { fromUs: 2500, toUs: 9200 });
    expect(windowed.functions.map((f) => f.name)).toEqual([
      'ingest  apps/broker/src/telemetry/telemetry-ingestor.js:20',
      '(garbage collector)',
    ]);
    expect(windowed).toMatchObject({ idleMs: 4, wallMs: 7 });
  });

  it('charges a native builtin to the first package or app function up the stack, past Node internals', () => {
    expect(summary.functions.map((f) => f.name)).toContain(
      'writev [native] ← uncork  node_modules/mqtt-packet/writeToStream.js:80',
    );
  });

  it('groups self time by package, Node module and our own folders', () => {
    expect(summary.areas.map((a) => a.name)).toEqual([
      'node_modules/mqtt-packet',
      'apps/broker',
      '(garbage collector)',
    ]);
  });
});

describe('areaOf', () => {
  it('names scoped packages with their scope, Node internals by subsystem and our code by app or lib', () => {
    expect(areaOf('x', 'file:///w/node_modules/@nestjs/core/router/x.js')).toBe('node_modules/@nestjs/core');
    expect(areaOf('x', 'node:internal/streams/writable')).toBe('node:internal/streams');
    expect(areaOf('x', 'node:net')).toBe('node:net');
    expect(areaOf('x', 'file:///w/dist/libs/handoff/src/producer.js')).toBe('libs/handoff');
    expect(areaOf('(program)', '')).toBe('(program)');
    expect(areaOf('JSONParse', '')).toBe('(native)');
  });
});
