import { BRIDGE_DEFAULTS, bridgeArgv, bridgeLines, parseBridgeArgs } from './bridge-lines.js';
import { MeterReadings } from '../common/meter-readings.js';

describe('bridgeLines', () => {
  it('writes one line per reading: device from the topic, fields in payload order, the device time in µs', () => {
    const payload = '{"ts":1764720000123.456,"values":{"voltage":230.5,"current":12.25}}';
    expect(bridgeLines('devices/meter-7/telemetry', payload, 'energy')).toEqual([
      'energy,device_id=meter-7 voltage=230.5,current=12.25 1764720000123456',
    ]);
  });

  it('takes a batch publish apart into its readings, in order', () => {
    const payload = Buffer.from('{"readings":[{"ts":1000.001,"values":{"v":1}},{"ts":1000.002,"values":{"v":2}}]}');
    expect(bridgeLines('devices/d/telemetry', payload, 'm')).toEqual([
      'm,device_id=d v=1 1000001',
      'm,device_id=d v=2 1000002',
    ]);
  });

  it("keeps the load generator's readings of one device apart: strictly increasing µs timestamps", () => {
    const meter = new MeterReadings(3);
    const lines = bridgeLines('devices/d/telemetry', meter.payload(10, 1_764_720_000_000), 'energy');
    const times = lines.map((line) => Number(line.split(' ')[2]));
    expect(lines).toHaveLength(10);
    expect(new Set(times).size).toBe(10);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(lines[0]).toMatch(/^energy,device_id=d voltage=[\d.]+,current=[\d.]+,active_power=[\d.]+,power_factor=/);
  });
});

describe('parseBridgeArgs', () => {
  const required = ['--mqtt-url=mqtt://127.0.0.1:1', '--influx-url=http://i:8086/', '--database=db', '--measurement=m'];

  it('reads back what the bench passes, with the batching defaults', () => {
    const args = parseBridgeArgs(required);
    expect(args).toEqual({
      mqttUrl: 'mqtt://127.0.0.1:1',
      influxUrl: 'http://i:8086',
      database: 'db',
      measurement: 'm',
      qos: 1,
      ...BRIDGE_DEFAULTS,
    });
    expect(parseBridgeArgs(bridgeArgv({ ...args, qos: 0, flushMs: 50 }))).toEqual({ ...args, qos: 0, flushMs: 50 });
  });

  it('names every missing or bad argument at once', () => {
    expect(() => parseBridgeArgs(['--database=db', '--qos=2', '--batch-lines=0'])).toThrow(
      [
        '--mqtt-url is required',
        '--influx-url is required',
        '--measurement is required',
        '--qos must be an integer from 0 to 1, not 2',
        '--batch-lines must be an integer from 1 to 1000000, not 0',
      ].join('\n'),
    );
  });
});
