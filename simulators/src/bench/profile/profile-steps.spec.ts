import { attributeSteps, formatStepTables, readingRoles, stepRulesFor, type StepTable } from './profile-steps.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
const dist = (path: string) => `file:///w/dist/${path}.js`;
const pkg = (path: string) => `file:///w/node_modules/${path}.js`;

/**
 * A broker's reading path in miniature (plus an ingest worker's line parse, as in the all-in-one
 * process): each sample 1 ms, 20 ms busy, 3 ms idle.
 */
const nodes = [
  { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 20, 30, 45] },
  { id: 2, callFrame: frame('(idle)') },
  { id: 3, callFrame: frame('(garbage collector)') },
  { id: 4, callFrame: frame('parse', pkg('mqtt-packet/parser')), children: [6] },
  { id: 6, callFrame: frame('handle', pkg('aedes/lib/handlers/publish')), children: [7] },
  { id: 7, callFrame: frame('', dist('apps/broker/src/hooks/authorize-publish')), children: [8] },
  { id: 8, callFrame: frame('ingest', dist('apps/broker/src/telemetry/telemetry-ingestor')), children: [9, 12, 31] },
  {
    id: 9,
    callFrame: frame('decodePayload', 'file:///w/dist/devices/src/telemetry/decode-payload.js'),
    children: [10],
  },
  { id: 10, callFrame: frame('JSONParse') },
  { id: 12, callFrame: frame('append', dist('libs/handoff/src/producer')), children: [13] },
  { id: 13, callFrame: frame('', pkg('ioredis/built/utils/Commander')) },
  { id: 31, callFrame: frame('lineFor', dist('libs/storage/src/line-protocol')) },
  { id: 5, callFrame: frame('processImmediate', 'node:internal/timers'), children: [14] },
  { id: 14, callFrame: frame('executeAutoPipeline', pkg('ioredis/built/autoPipelining')), children: [15] },
  { id: 15, callFrame: frame('writeUtf8String') },
  { id: 20, callFrame: frame('uncork', pkg('mqtt-packet/writeToStream')), children: [21] },
  { id: 21, callFrame: frame('writevGeneric', 'node:internal/stream_base_commons'), children: [22] },
  { id: 22, callFrame: frame('writev') },
  { id: 30, callFrame: frame('(program)') },
  { id: 45, callFrame: frame('run', dist('apps/ingest/src/ingest-worker.service')), children: [46] },
  { id: 46, callFrame: frame('ruleFeedReadings', dist('apps/ingest/src/rule-feed-readings')), children: [47] },
  { id: 47, callFrame: frame('parseLine', dist('libs/storage/src/parse-line')) },
];
// prettier-ignore
const samples = [10, 10, 10, 13, 13, 15, 15, 15, 15, 22, 22, 3, 30, 8, 4, 4, 7, 31, 47, 47, 2, 2, 2];
const profile = {
  nodes,
  startTime: 0,
  endTime: samples.length * 1000,
  samples,
  // Sample i is taken at i ms and holds the time until the next one.
  timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)).concat(1000),
};
const everything = { fromUs: 0, toUs: samples.length * 1000 };
const byStep = (table: StepTable) => Object.fromEntries(table.steps.map((s) => [s.step, s.usPerReading]));

describe('attributeSteps', () => {
  it("charges each sample to the innermost frame's step, natives and Node internals to their caller's", () => {
    const table = attributeSteps(profile, stepRulesFor(['broker']), everything, 1000);
    expect(byStep(table)).toEqual({
      // JSON.parse inside the payload decoder
      validation: 3,
      // ioredis under the hand-off producer (2), and its auto-pipelined flush with no caller on the stack (4)
      'hand-off write (ioredis)': 6,
      // writev under mqtt-packet's writer
      'PUBACK write': 2,
      'MQTT parse (mqtt-packet)': 2,
      GC: 1,
      'telemetry ingestor (glue)': 1,
      'auth/ACL': 1,
      'line serialisation': 1,
      // (program), and the ingest worker's code, which a broker's table does not name
      other: 3,
    });
    expect(table.busyUsPerReading).toBe(20);
    expect(table.steps.at(-1)?.step).toBe('other');
    expect(table.steps[0]).toEqual({ step: 'hand-off write (ioredis)', selfMs: 6, usPerReading: 6, percent: 30 });
  });

  it("in a process running several roles, names every role's use of a library no caller on the stack tells apart", () => {
    const table = attributeSteps(profile, stepRulesFor(readingRoles('broker,ingest,alerts,api')), everything, 1000);
    expect(byStep(table)).toMatchObject({
      'hand-off write (ioredis)': 2,
      'ioredis, no caller on the stack: hand-off write (ioredis) / hand-off read (ioredis) / job fetch (BullMQ)': 4,
      'line parse / rule-feed build': 2,
      other: 1,
    });
  });

  it('counts only the window, and divides by the readings stored in it (a batch load stores ten per publish)', () => {
    // 5–11 ms: the four auto-pipelined writes, two PUBACK writes and GC.
    const table = attributeSteps(profile, stepRulesFor(['broker']), { fromUs: 5000, toUs: 11_000 }, 70);
    expect(byStep(table)).toEqual({ 'hand-off write (ioredis)': 57.14, 'PUBACK write': 28.57, GC: 14.29 });
    expect(table).toMatchObject({ windowS: 0.01, readings: 70, busyUsPerReading: 100 });
  });
});

describe('readingRoles', () => {
  it("reads the reading-path roles out of a process's apps", () => {
    expect(readingRoles('broker,api')).toEqual(['broker']);
    expect(readingRoles('ingest+alerts')).toEqual(['ingest', 'alerts']);
    expect(readingRoles('api')).toEqual([]);
  });
});

describe('formatStepTables', () => {
  it('prints each process with µs per reading and share by step, and the busy total', () => {
    const table = attributeSteps(profile, stepRulesFor(['broker']), everything, 1000);
    const text = formatStepTables([{ process: 'broker+api', steps: table }]);
    expect(text).toContain('first publish → stored: 0.0 s, 1,000 readings');
    expect(text).toMatch(/hand-off write \(ioredis\) +6\.00 +30\.0%/);
    expect(text).toMatch(/total busy +20\.00/);
  });
});
