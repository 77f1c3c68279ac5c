import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppProcess, flushPrefix, freePort, testConfig, testEnv, waitFor } from '@citypulse/testing';

/**
 * mqtt-packet's debug logging, in fresh Node processes from dist/ (jest's own module registry would
 * not show the effect): the broker and all-in-one processes, as launched, load mqtt-packet with the
 * silent logger; it still parses; `DEBUG=mqtt-packet:*` still gets every log line.
 */
describe('mqtt-packet debug logging', () => {
  const env = testEnv({ CP_LOG_LEVEL: 'info' });
  const running: AppProcess[] = [];

  afterAll(async () => {
    await Promise.all(running.map((app) => app.stop()));
    await flushPrefix(testConfig(env));
  });

  it.each(['broker', 'citypulse'] as const)('is silenced in the %s process as launched', async (app) => {
    const process = new AppProcess(app, {
      ...env,
      CP_APPS: 'broker',
      CP_MQTT_PORT: String(await freePort()),
      CP_HTTP_PORT: String(await freePort()),
    });
    running.push(process);
    await process.start();
    const listening = await waitFor(
      () => /"mqttPacketDebug":"(\w+ ?\w*)"[^\n]*"MQTT broker listening"/.exec(process.logs)?.[1],
      (state) => state !== undefined,
      { what: `the ${app} process's "MQTT broker listening" line` },
    );
    expect(listening).toBe('silenced');
  });

  const url = (path: string) => JSON.stringify(pathToFileURL(resolve(path)).href);
  /** Loads the silencer and then the broker's module graph (as the entries do), parses one packet. */
  const script = `
    const { quietedDebugNamespaces } = await import(${url('dist/apps/broker/src/aedes/quiet-mqtt-packet-debug.js')});
    await import(${url('dist/apps/broker/src/mqtt-broker.service.js')});
    const { createRequire } = await import('node:module');
    const mqttPacket = createRequire(createRequire(import.meta.url).resolve('aedes'))('mqtt-packet');
    const parser = mqttPacket.parser();
    const parsed = [];
    parser.on('packet', (packet) => parsed.push(packet.topic + ' ' + packet.payload.toString()));
    const publish = { cmd: 'publish', topic: 'a/b', payload: Buffer.from('hello'), qos: 1, messageId: 7 };
    parser.parse(mqttPacket.generate(publish));
    console.log(JSON.stringify({ quieted: quietedDebugNamespaces(), parsed }));
  `;

  function run(debug?: string) {
    const childEnv = { ...process.env };
    delete childEnv.DEBUG;
    if (debug !== undefined) childEnv.DEBUG = debug;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: childEnv,
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    return { ...(JSON.parse(child.stdout) as { quieted: string[]; parsed: string[] }), stderr: child.stderr };
  }

  it('still parses with the silent logger, and logs nothing', () => {
    const { quieted, parsed, stderr } = run();
    expect([...quieted].sort()).toEqual(['mqtt-packet:parser', 'mqtt-packet:writeToStream']);
    expect(parsed).toEqual(['a/b hello']);
    expect(stderr).toBe('');
  });

  it('leaves the real logger when DEBUG turns mqtt-packet on', () => {
    const { quieted, parsed, stderr } = run('mqtt-packet:*');
    expect(quieted).toEqual([]);
    expect(parsed).toEqual(['a/b hello']);
    expect(stderr).toContain('mqtt-packet:parser');
    expect(stderr).toContain('mqtt-packet:writeToStream');
  });
});
