import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, flushPrefix, testConfig, testEnv, waitFor } from '@citypulse/testing';
import { InfluxQueryClient } from '@citypulse/storage';

/**
 * `npm start` (scripts/start.sh) as an operator runs it — the stack (already up: used as it is), citypulse from dist/
 * and the simulated fleet — on free ports, its own Redis prefix and InfluxDB database: its banners print the console's
 * and the API docs' URLs, and both answer there.
 */
describe('npm start', () => {
  let child: ChildProcess | undefined;
  let output = '';
  const env = testEnv({ CP_LOG_LEVEL: 'warn', CP_SECRETS_KEY: 'a'.repeat(64) });
  const config = testConfig(env);

  afterAll(async () => {
    // start.sh's own stop, then (if that hangs) the whole group.
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      // Ctrl-C: start.sh stops citypulse and the fleet (and leaves the stack, which was up before).
      process.kill(-child.pid, 'SIGINT');
      const killer = setTimeout(() => process.kill(-child!.pid!, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    await new InfluxQueryClient({
      url: config.influx.url,
      database: config.influx.database,
      token: config.influx.token,
    })
      .dropDatabase(config.influx.database)
      .catch(() => undefined);
    await flushPrefix(config);
  });

  it('prints the console and /docs URLs, and both answer', async () => {
    // The stack must already answer: start.sh then uses it as it is and leaves it running when it stops.
    expect(spawnSync('bash', ['scripts/stack.sh', 'status'], { stdio: 'ignore' }).status).toBe(0);
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    child = spawn('bash', ['scripts/start.sh'], {
      env: { ...env, CP_HTTP_PORT: String(httpPort), CP_MQTT_PORT: String(mqttPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that Ctrl-C reaches start.sh as from a terminal.
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // start.sh's line once citypulse answers /health (after a build when sources changed: up to two minutes).
    const up = await waitFor(
      () => /== citypulse is up: console (\S+) \(.*\), API docs (\S+)/.exec(output),
      (match) => match !== null || child!.exitCode !== null,
      { what: 'the start banner', timeoutMs: 180_000, intervalMs: 200 },
    );
    expect(up).not.toBeNull();
    const [, consoleUrl, docsUrl] = up!;
    expect(consoleUrl).toBe(`http://127.0.0.1:${httpPort}/console`);
    expect(docsUrl).toBe(`http://127.0.0.1:${httpPort}/docs`);

    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>citypulse');
    const docs = await fetch(docsUrl);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);

    // The fleet's banner, once its devices are provisioned, says the same.
    const fleet = await waitFor(
      () => output,
      (text) => text.includes('citypulse is running with') || child!.exitCode !== null,
      { what: 'the fleet banner', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(fleet).toMatch(new RegExp(`operator console +http://127\\.0\\.0\\.1:${httpPort}/console`));
    expect(fleet).toMatch(new RegExp(`API docs +http://127\\.0\\.0\\.1:${httpPort}/docs`));
  }, 300_000);
});
