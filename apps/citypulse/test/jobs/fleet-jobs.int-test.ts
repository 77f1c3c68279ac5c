import { join } from 'node:path';
import { DeviceClient, FirmwareUpdater } from '@citypulse/device-client';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { imageDir, randomImage, upload } from '../firmware/firmware-helpers.js';
import { DESKTOP, launchChromium, openContext, pageErrors, signIn } from '../console/console-browser.js';
import { fleetClient, jobUntil, provisionFleet, sumOf, type FleetDevice } from './job-helpers.js';

/**
 * Fleet jobs over real device clients on the real broker, with the API, the alerts workers
 * (which run the ticks) and the brokers' command timeouts in one process, ticking every 50 ms.
 */
describe('fleet jobs', () => {
  let cp: TestCitypulse;
  const clients: DeviceClient[] = [];
  const images = imageDir();

  beforeAll(async () => {
    cp = await TestCitypulse.start({
      CP_JOBS_TICK_MS: '50',
      CP_JOBS_LOCK_MS: '2000',
      CP_FIRMWARE_DIR: join(images.dir, 'images'),
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cp?.stop();
    images.remove();
  });

  async function connect(devices: FleetDevice[], failing: ReadonlySet<string> = new Set()): Promise<DeviceClient[]> {
    const started = devices.map((d) => fleetClient(cp.mqttUrl, d, failing.has(d.id)));
    clients.push(...started);
    await Promise.all(started.map((c) => c.start()));
    return started;
  }
  /**
   * Connects the devices with a FirmwareUpdater each, running `running[i]`, and waits until the
   * registry has their versions. Returns the versions each device installed, in order.
   */
  async function startUpdaters(devices: FleetDevice[], running: string[]): Promise<Map<string, string[]>> {
    const installed = new Map(devices.map((d) => [d.id, [] as string[]]));
    await Promise.all(
      devices.map(async (d, i) => {
        const client = fleetClient(cp.mqttUrl, d);
        clients.push(client);
        new FirmwareUpdater(client, {
          currentVersion: running[i],
          downloadDir: join(images.dir, 'device', d.id),
          install: (_path, update) => void installed.get(d.id)!.push(update.version),
          download: { retryDelayMs: 50 },
        });
        await client.start();
        await waitFor(
          () => cp.api('GET', `/devices/${d.id}`),
          (r) => r.body.firmwareVersion === running[i],
          { what: `${d.id} reporting ${running[i]}` },
        );
      }),
    );
    return installed;
  }
  const commandsOf = async (deviceId: string) =>
    (await cp.api('GET', `/devices/${deviceId}/commands`)).body.items as Array<{
      id: string;
      name: string;
      status: string;
    }>;
  const reboot = (devices: FleetDevice[], extra: Record<string, unknown> = {}) =>
    cp.api('POST', '/jobs', {
      kind: 'command',
      command: { name: 'reboot' },
      selection: { city: 'beijing', deviceIds: devices.map((d) => d.id) },
      deviceTimeoutS: 5,
      ...extra,
    });

  it('aborts when more than the threshold of the first step fails, and leaves the devices it had not reached untouched', async () => {
    const devices = await provisionFleet(cp, 20);
    // Two of the first five (the rollout goes in id order) fail: 40 % > 10 %.
    await connect(devices, new Set([devices[1].id, devices[3].id]));
    const created = await reboot(devices, {
      rollout: { initialCount: 5, ratePerMinute: 60_000 },
      abortFailurePercent: 10,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'running',
      total: 20,
      kind: 'command',
      city: 'beijing',
      rollout: { initialCount: 5, ratePerMinute: 60_000 },
    });

    const job = await jobUntil(
      cp,
      created.body.id,
      (j) => j.state === 'aborted' && j.counts['in-progress'] === 0,
      'the job aborted',
    );
    expect(job.counts).toMatchObject({
      succeeded: 3,
      failed: 2,
      skipped: 15,
      queued: 0,
      'in-progress': 0,
      waiting: 0,
      dispatching: 0,
    });
    expect(sumOf(job.counts)).toBe(20);
    expect(job.reason).toMatch(/2 of 5 devices reached failed or timed out, more than 10 %/);

    const failed = (await cp.api('GET', `/jobs/${job.id}/devices?state=failed`)).body;
    expect(failed.items.map((d: { deviceId: string }) => d.deviceId)).toEqual([devices[1].id, devices[3].id]);
    expect(failed.items[0]).toMatchObject({
      state: 'failed',
      error: 'injected failure',
      commandId: expect.any(String),
    });
    for (const d of devices.slice(5)) expect(await commandsOf(d.id)).toEqual([]);
    const page = (await cp.api('GET', `/jobs/${job.id}/devices?limit=20`)).body;
    expect(page.items.map((d: { state: string }) => d.state)).toEqual([
      'succeeded',
      'failed',
      'succeeded',
      'failed',
      'succeeded',
      ...Array(15).fill('skipped'),
    ]);
  });

  it('rolls out in steps to completion, one command per device, and streams its progress', async () => {
    const devices = await provisionFleet(cp, 12);
    await connect(devices);
    const created = await reboot(devices, { rollout: { initialCount: 2, ratePerMinute: 6000 } });
    const events = await readEvents(`/jobs/${created.body.id}/events`);
    const job = await jobUntil(cp, created.body.id, (j) => j.state === 'completed', 'the job completed');
    expect(job.counts).toMatchObject({ succeeded: 12, queued: 0, skipped: 0 });
    for (const d of devices) expect((await commandsOf(d.id)).map((c) => c.status)).toEqual(['succeeded']);
    const progress = await events.all;
    expect(progress.at(-1)).toMatchObject({ state: 'completed', counts: { succeeded: 12 } });
    expect(progress.some((p) => p.state === 'running' && p.counts.succeeded > 0 && p.counts.succeeded < 12)).toBe(true);
  });

  it('pauses (nothing more is released), resumes to completion, and cancels leaving the rest skipped', async () => {
    const devices = await provisionFleet(cp, 10);
    await connect(devices);
    // 60 a minute after the first two: one a second, so the pause lands mid-rollout however slow the machine
    // is to answer (the rest of the rollout takes at least 7 s after the third device).
    const created = await reboot(devices, { rollout: { initialCount: 2, ratePerMinute: 60 } });
    const id = created.body.id;
    await jobUntil(cp, id, (j) => j.counts.succeeded >= 3, 'the rate phase started');
    const paused = await cp.api('POST', `/jobs/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe('paused');
    const settled = await jobUntil(
      cp,
      id,
      (j) => j.counts.dispatching + j.counts['in-progress'] === 0,
      'in-flight devices settled',
    );
    // Paused across more than two release intervals: nothing new is reached.
    const heldUntil = Date.now() + 2100;
    const during = await waitFor(
      async () => (await cp.api('GET', `/jobs/${id}`)).body,
      (j) => Date.now() > heldUntil || j.counts.queued !== settled.counts.queued,
      { intervalMs: 100 },
    );
    expect(during.counts.queued).toBe(settled.counts.queued);
    expect((await cp.api('POST', `/jobs/${id}/pause`)).status).toBe(409);
    expect((await cp.api('POST', `/jobs/${id}/resume`)).body.state).toBe('running');
    expect(
      (await jobUntil(cp, id, (j) => j.state === 'completed', 'completed after resume', 30_000)).counts.succeeded,
    ).toBe(10);

    const others = await provisionFleet(cp, 6);
    await connect(others);
    // 6 a minute: the next device is due 10 s after the first's outcome, long after the cancel.
    const second = await reboot(others, { rollout: { initialCount: 1, ratePerMinute: 6 } });
    await jobUntil(cp, second.body.id, (j) => j.counts.succeeded === 1, 'the first device done');
    const cancelled = await cp.api('POST', `/jobs/${second.body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', reason: 'cancelled by admin' });
    const ended = await jobUntil(
      cp,
      second.body.id,
      (j) => j.counts['in-progress'] + j.counts.dispatching === 0,
      'settled after cancel',
    );
    expect(ended.counts).toMatchObject({ succeeded: 1, skipped: 5 });
    expect((await cp.api('POST', `/jobs/${second.body.id}/resume`)).status).toBe(409);
    const skipped = (await cp.api('GET', `/jobs/${second.body.id}/devices?state=skipped`)).body.items as Array<{
      deviceId: string;
    }>;
    for (const d of skipped) expect(await commandsOf(d.deviceId)).toEqual([]);
    const auditOf = async (job: string) =>
      (await cp.api('GET', `/audit?target=fleet-job:${job}`)).body.items.map((e: { action: string }) => e.action);
    // Newest first; the refused pause (409) left no entry.
    expect(await auditOf(id)).toEqual(['fleet-job.resume', 'fleet-job.pause', 'fleet-job.create']);
    expect(await auditOf(second.body.id)).toEqual(['fleet-job.cancel', 'fleet-job.create']);
  });

  it('judges a finished job by its success criteria: 3 of 4 succeeded completes at 75 % and fails at 100 %', async () => {
    const devices = await provisionFleet(cp, 4);
    await connect(devices, new Set([devices[2].id]));
    const run = (successPercent: number) =>
      reboot(devices, { rollout: { initialCount: 4, ratePerMinute: 60 }, abortFailurePercent: 50, successPercent });
    const [lenient, strict] = await Promise.all([run(75), run(100)]);
    const ended = (id: string) =>
      jobUntil(cp, id, (j) => j.state !== 'running' && j.counts['in-progress'] === 0, 'the job finished');
    const [met, missed] = await Promise.all([ended(lenient.body.id), ended(strict.body.id)]);
    expect(met).toMatchObject({ state: 'completed', successPercent: 75, counts: { succeeded: 3, failed: 1 } });
    expect(met.reason).toBe('3 of 4 devices succeeded (criteria: 75 %)');
    expect(missed).toMatchObject({ state: 'failed', counts: { succeeded: 3, failed: 1 } });
    expect(missed.reason).toBe('3 of 4 devices succeeded (criteria: 100 %)');
  });

  it('sends to an offline device when it connects before the deadline; one still offline at the deadline is timed out', async () => {
    const [early, late] = await provisionFleet(cp, 2);
    // The device that comes has a minute (a loaded machine may take seconds to connect it); the other 2.5 s.
    const comes = await reboot([early], {
      rollout: { initialCount: 1, ratePerMinute: 60 },
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    const never = await reboot([late], {
      rollout: { initialCount: 1, ratePerMinute: 60 },
      deadline: new Date(Date.now() + 2500).toISOString(),
    });
    await jobUntil(cp, comes.body.id, (j) => j.counts.waiting === 1, 'the offline device waiting');
    expect(await commandsOf(early.id)).toEqual([]);
    await connect([early]);
    expect(
      (await jobUntil(cp, comes.body.id, (j) => j.state === 'completed', 'completed once the device connected')).counts
        .succeeded,
    ).toBe(1);

    const timedOut = await jobUntil(cp, never.body.id, (j) => j.state !== 'running', 'the deadline', 10_000);
    expect(timedOut).toMatchObject({ state: 'failed', counts: { 'timed-out': 1, succeeded: 0 } });
    expect((await cp.api('GET', `/jobs/${never.body.id}/devices`)).body.items[0]).toMatchObject({
      deviceId: late.id,
      state: 'timed-out',
      error: expect.stringMatching(/deadline/),
    });
    expect(await commandsOf(late.id)).toEqual([]);
  });

  it('rolls a desired config out: a device succeeds when it reports it', async () => {
    const devices = await provisionFleet(cp, 3);
    await connect(devices);
    const created = await cp.api('POST', '/jobs', {
      kind: 'config',
      desired: { reporting_interval_s: 45 },
      selection: { city: 'beijing', site: `${devices[0].id.slice(0, -4)}-site` },
      rollout: { initialPercent: 50, ratePerMinute: 6000 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ total: 3, rollout: { initialCount: 2 } });
    expect(
      (await jobUntil(cp, created.body.id, (j) => j.state === 'completed', 'config job completed')).counts.succeeded,
    ).toBe(3);
    expect((await cp.api('GET', `/devices/${devices[2].id}/shadow`)).body).toMatchObject({
      reported: { reporting_interval_s: 45 },
      delta: {},
    });
  });

  it('updates the firmware of the devices running one version (real downloads and installs), holding the image while the job is live', async () => {
    const devices = await provisionFleet(cp, 4);
    const installed = await startUpdaters(devices, ['1.0.0', '0.9.0', '1.0.0', '1.0.0']);
    const { body: image } = await upload(
      cp,
      { deviceType: 'env-sensor', version: '1.1.0', city: 'beijing' },
      randomImage(32 * 1024),
    );
    const site = `${devices[0].id.slice(0, -4)}-site`;
    const created = await cp.api('POST', '/jobs', {
      kind: 'firmware',
      firmware: { imageId: image.id },
      selection: { city: 'beijing', site, firmwareVersion: '1.0.0' },
      rollout: { initialCount: 1, ratePerMinute: 6000 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      total: 3,
      kind: 'firmware',
      payload: { kind: 'firmware', imageId: image.id, version: '1.1.0' },
    });
    expect((await cp.api('DELETE', `/firmware/${image.id}`)).status).toBe(409);

    const job = await jobUntil(
      cp,
      created.body.id,
      (j) => j.state === 'completed',
      'the firmware job completed',
      20_000,
    );
    expect(job.counts.succeeded).toBe(3);
    expect(devices.map((d) => installed.get(d.id))).toEqual([['1.1.0'], [], ['1.1.0'], ['1.1.0']]);
    const command = (await cp.api('GET', `/devices/${devices[0].id}/commands`)).body.items[0];
    expect(command).toMatchObject({
      name: 'firmware-update',
      status: 'succeeded',
      result: { version: '1.1.0' },
      params: { version: '1.1.0', sha256: image.sha256 },
    });
    // Ended: the job no longer holds the image.
    await waitFor(
      () => cp.api('DELETE', `/firmware/${image.id}`),
      (r) => r.status !== 409,
      { what: 'the image free to delete' },
    );
  });

  it('updates one city’s electricity meters in stages — one first, then at the rate — and no other device', async () => {
    // Selected by city and type only: the other types of the city and the meters of another city stay out.
    const meters = await provisionFleet(cp, 5, { type: 'electricity-meter', city: 'shenzhen' });
    const sensors = await provisionFleet(cp, 2, { city: 'shenzhen' });
    const elsewhere = await provisionFleet(cp, 1, { type: 'electricity-meter', city: 'tianjin' });
    const all = [...meters, ...sensors, ...elsewhere];
    const installed = await startUpdaters(
      all,
      all.map(() => '1.0.0'),
    );
    const { body: image } = await upload(
      cp,
      { deviceType: 'electricity-meter', version: '1.2.0', city: 'shenzhen' },
      randomImage(16 * 1024),
    );
    // 120 a minute: after the first meter's outcome, one more every 500 ms at most.
    const created = await cp.api('POST', '/jobs', {
      kind: 'firmware',
      firmware: { imageId: image.id },
      selection: { city: 'shenzhen', type: 'electricity-meter' },
      rollout: { initialCount: 1, ratePerMinute: 120 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      total: 5,
      city: 'shenzhen',
      rollout: { initialCount: 1, ratePerMinute: 120 },
      payload: { imageId: image.id, version: '1.2.0' },
    });

    const job = await jobUntil(cp, created.body.id, (j) => j.state === 'completed', 'the meters updated', 30_000);
    expect(job.counts.succeeded).toBe(5);
    expect(sumOf(job.counts)).toBe(5);
    expect(all.map((d) => installed.get(d.id))).toEqual([...Array(5).fill(['1.2.0']), [], [], []]);
    for (const d of [...sensors, ...elsewhere]) expect(await commandsOf(d.id)).toEqual([]);

    const entries = (await cp.api('GET', `/jobs/${job.id}/devices?limit=10`)).body.items as Array<{
      deviceId: string;
      sentAt: string;
      finishedAt: string;
    }>;
    expect(entries.map((e) => e.deviceId)).toEqual(meters.map((d) => d.id));
    // The first step is followed to its outcome before anything else is sent; the rate phase starts then
    // and accrues one device per 500 ms, so the k-th device after the first cannot be sent sooner than
    // k × 500 ms after it (a busy machine only makes it later). 5 ms for rounding to the millisecond.
    const rateStart = Date.parse(entries[0].finishedAt);
    const after = entries.slice(1).map((e) => Date.parse(e.sentAt) - rateStart);
    after.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual((i + 1) * 500 - 5));

    const expected = [...Array(5).fill('1.2.0'), '1.0.0', '1.0.0', '1.0.0'];
    const versions = await waitFor(
      () => Promise.all(all.map(async (d) => (await cp.api('GET', `/devices/${d.id}`)).body.firmwareVersion as string)),
      (v) => v.join() === expected.join(),
      { what: 'the registry showing 1.2.0 on the meters only' },
    );
    expect(versions).toEqual(expected);
  });

  it('aborts a staged firmware rollout whose installs fail, leaving the devices it had not reached on the old version, and shows the abort in the console', async () => {
    const devices = await provisionFleet(cp, 12);
    // The rollout goes in id order: two of the first four fail to install (50 % > 20 %).
    const failing = new Set([devices[0].id, devices[2].id]);
    const installed = new Map<string, string[]>();
    await Promise.all(
      devices.map(async (d) => {
        const client = fleetClient(cp.mqttUrl, d);
        clients.push(client);
        installed.set(d.id, []);
        const install = (_path: string, update: { version: string }) => {
          if (failing.has(d.id)) throw new Error('flash write failed');
          installed.get(d.id)!.push(update.version);
        };
        new FirmwareUpdater(client, {
          currentVersion: '1.0.0',
          downloadDir: join(images.dir, 'device', d.id),
          install,
          download: { retryDelayMs: 50 },
        });
        await client.start();
        await waitFor(
          () => cp.api('GET', `/devices/${d.id}`),
          (r) => r.body.firmwareVersion === '1.0.0',
          { what: `${d.id} reporting 1.0.0` },
        );
      }),
    );
    const { body: image } = await upload(
      cp,
      { deviceType: 'env-sensor', version: '2.0.0', city: 'beijing' },
      randomImage(16 * 1024),
    );
    const created = await cp.api('POST', '/jobs', {
      kind: 'firmware',
      firmware: { imageId: image.id },
      selection: { city: 'beijing', deviceIds: devices.map((d) => d.id) },
      rollout: { initialCount: 4, ratePerMinute: 60_000 },
      abortFailurePercent: 20,
    });
    expect(created.status).toBe(201);

    const job = await jobUntil(
      cp,
      created.body.id,
      (j) => j.state === 'aborted' && j.counts['in-progress'] + j.counts.dispatching === 0,
      'the firmware job aborted',
      20_000,
    );
    expect(job.counts).toMatchObject({ succeeded: 2, failed: 2, skipped: 8 });
    expect(job.reason).toMatch(/2 of 4 devices reached failed or timed out, more than 20 %/);
    const failed = (await cp.api('GET', `/jobs/${job.id}/devices?state=failed`)).body.items;
    expect(failed.map((d: { deviceId: string }) => d.deviceId)).toEqual([devices[0].id, devices[2].id]);
    expect(failed[0].error).toMatch(/install_failed/);
    // The two that installed run 2.0.0; the failed ones and the eight never reached keep 1.0.0.
    expect(devices.map((d) => installed.get(d.id))).toEqual([[], ['2.0.0'], [], ['2.0.0'], ...Array(8).fill([])]);
    const expected = ['1.0.0', '2.0.0', '1.0.0', '2.0.0', ...Array(8).fill('1.0.0')];
    const reported = () =>
      Promise.all(devices.map(async (d) => (await cp.api('GET', `/devices/${d.id}`)).body.firmwareVersion as string));
    // The registry takes a version from the device's state report, which may trail the command's ack.
    const versions = await waitFor(reported, (v) => v.join() === expected.join(), {
      what: 'the registry showing each device’s version',
    });
    expect(versions).toEqual(expected);
    for (const d of devices.slice(4)) expect(await commandsOf(d.id)).toEqual([]);

    // The operator sees the abort in the console: its state, why, the totals, and which devices failed.
    const browser = await launchChromium();
    try {
      const page = await (await openContext(browser, DESKTOP)).newPage();
      const errors = pageErrors(page);
      await signIn(page, cp, { hash: '#/jobs' });
      await page.click(`tr[data-job-id="${job.id}"] a`);
      await page.waitForSelector('.job-summary [data-state="aborted"]');
      expect(await page.textContent('.job-summary')).toContain(
        '(2 of 4 devices reached failed or timed out, more than 20 %)',
      );
      expect(await page.textContent('.job-summary [data-count="failed"]')).toBe('failed 2');
      expect(await page.textContent('.job-summary [data-count="skipped"]')).toBe('skipped 8');
      await page.waitForFunction(
        () => (globalThis as any).document.querySelectorAll('.job-devices tr[data-state="skipped"]').length === 8,
      );
      expect(
        await page.$$eval('.job-devices tr[data-state="failed"]', (rows) =>
          rows.map((r) => (r as any).dataset.deviceId),
        ),
      ).toEqual([devices[0].id, devices[2].id]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('shows a job live in the console: a paused job resumed from the page runs to completion on screen', async () => {
    const devices = await provisionFleet(cp, 8);
    await connect(devices);
    const created = await reboot(devices, { name: 'console reboot', rollout: { initialCount: 1, ratePerMinute: 240 } });
    expect((await cp.api('POST', `/jobs/${created.body.id}/pause`)).status).toBe(200);
    const browser = await launchChromium();
    try {
      const page = await (await openContext(browser, DESKTOP)).newPage();
      const errors = pageErrors(page);
      await signIn(page, cp, { hash: '#/jobs' });
      await page.click(`tr[data-job-id="${created.body.id}"] a`);
      await page.waitForSelector('.job-summary [data-state="paused"]');
      await page.waitForSelector('#live[data-status="live"]');
      await page.click('.job-actions button:has-text("Resume")');
      // Totals follow the SSE stream to the end, and the device table shows each outcome.
      await page.waitForSelector('.job-summary [data-state="completed"]', { timeout: 15_000 });
      expect(await page.textContent('.job-summary [data-count="succeeded"]')).toBe('succeeded 8');
      await page.waitForFunction(
        () => (globalThis as any).document.querySelectorAll('.job-devices tr[data-state="succeeded"]').length === 8,
      );
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('starts a staged firmware job from the console form (a bad field named next to it), follows it to completion, and lists the image; operators get no form; the channels form names its fields the same way', async () => {
    const devices = await provisionFleet(cp, 4);
    const site = `${devices[0].id.slice(0, -4)}-site`;
    const installed = await startUpdaters(devices, ['1.0.0', '1.0.0', '1.0.0', '1.0.0']);
    const { body: image } = await upload(
      cp,
      { deviceType: 'env-sensor', version: '2.0.0-console', city: 'beijing' },
      randomImage(16 * 1024),
    );
    const name = `console firmware ${site}`;
    const browser = await launchChromium();
    try {
      const page = await (await openContext(browser, DESKTOP)).newPage();
      const errors = pageErrors(page);
      await signIn(page, cp, { hash: '#/jobs' });
      await page.waitForSelector('[data-role="admin"]');
      await page.click('details.new-job summary');
      await page.waitForSelector(`select[name=imageId] option[value="${image.id}"]`, { state: 'attached' });
      await page.selectOption('select[name=kind]', 'firmware');
      await page.selectOption('select[name=imageId]', image.id);
      await page.fill('input[name=city]', 'beijing');
      await page.fill('input[name=site]', site);
      await page.selectOption('select[name=type]', 'env-sensor');
      await page.fill('input[name=firmwareVersion]', '1.0.0');
      await page.selectOption('select[name=firstStepUnit]', 'percent');
      await page.fill('input[name=firstStep]', '25');
      await page.fill('input[name=name]', name);

      // A rate of 0: the API's 400 is shown next to the rate, and no job is created.
      await page.fill('input[name=ratePerMinute]', '0');
      await page.click('form.new-job button[type=submit]');
      const rateError = await page.waitForSelector('.field-error[data-error-for="rollout.ratePerMinute"]');
      expect(await rateError.textContent()).toMatch(/ratePerMinute must not be less than 1/);
      expect(await page.getAttribute('input[name=ratePerMinute]', 'aria-invalid')).toBe('true');
      expect((await cp.api('GET', '/jobs?limit=100')).body.items.some((j: { name: string }) => j.name === name)).toBe(
        false,
      );

      await page.fill('input[name=ratePerMinute]', '6000');
      await page.click('form.new-job button[type=submit]');
      await page.waitForURL(/#\/job\//);
      await page.waitForSelector('.job-summary [data-state="completed"]', { timeout: 15_000 });
      expect(await page.textContent('.job-summary [data-count="succeeded"]')).toBe('succeeded 4');
      const id = decodeURIComponent(new URL(page.url()).hash.slice('#/job/'.length));
      expect((await cp.api('GET', `/jobs/${id}`)).body).toMatchObject({
        name,
        kind: 'firmware',
        total: 4,
        rollout: { initialCount: 1, ratePerMinute: 6000 },
        abortFailurePercent: 10,
        payload: { imageId: image.id, version: '2.0.0-console' },
      });
      for (const d of devices) {
        expect(installed.get(d.id)).toEqual(['2.0.0-console']);
        await waitFor(
          () => cp.api('GET', `/devices/${d.id}`),
          (r) => r.body.firmwareVersion === '2.0.0-console',
          { what: `${d.id} reporting 2.0.0-console` },
        );
      }

      await page.click('#nav a[data-view="firmware"]');
      const row = await page.waitForSelector(`table.firmware tr[data-image-id="${image.id}"]`);
      expect(await row.textContent()).toContain(`env-sensor2.0.0-consolebeijing16.0 KiB${image.sha256.slice(0, 12)}…`);
      // The channels form shows the API's field errors the same way (field-errors.js, shared).
      await page.click('#nav a[data-view="channels"]');
      await page.fill('input[name=city]', 'beijing');
      await page.click('form.inline button[type=submit]');
      await page.fill('form.add-channel input[name=id]', 'Not A Slug');
      await page.selectOption('form.add-channel select[name=kind]', 'mqtt');
      await page.click('form.add-channel button[type=submit]');
      expect(
        await (await page.waitForSelector('form.add-channel .field-error[data-error-for="id"]')).textContent(),
      ).toMatch(/id must be a lower-case slug/);
      // The refused requests are the two 400s above (Chromium logs every failed fetch).
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);

      const operator = await cp.issueToken('console-jobs-operator', 'operator', ['beijing']);
      const operatorPage = await (await openContext(browser, DESKTOP)).newPage();
      await signIn(operatorPage, cp, { token: operator, hash: '#/jobs' });
      await operatorPage.waitForSelector('[data-role="operator"]', { state: 'attached' });
      await operatorPage.waitForSelector(`tr[data-job-id="${id}"]`);
      expect(await operatorPage.$('details.new-job')).toBeNull();
    } finally {
      await browser.close();
    }
  });

  it('answers 400 naming the field, and keeps other cities’ jobs out of sight (404)', async () => {
    const [device] = await provisionFleet(cp, 1);
    const bad = await cp.api('POST', '/jobs', {
      kind: 'command',
      command: { name: 'warp' },
      selection: { city: 'beijing', deviceIds: [device.id] },
      rollout: { ratePerMinute: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['rollout.ratePerMinute']);
    const unknownCommand = await reboot([device], { command: { name: 'warp' }, rollout: { ratePerMinute: 1 } });
    expect(unknownCommand.body.fields.map((f: { field: string }) => f.field)).toEqual(['command.name']);
    const missing = await reboot([{ id: 'tianjin-nobody', secret: '' }], { rollout: { ratePerMinute: 1 } });
    expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(['selection.deviceIds']);

    const job = await reboot([device], { rollout: { ratePerMinute: 1 } });
    const tianjin = await cp.issueToken('jobs-tianjin-admin', 'admin', ['tianjin']);
    expect((await cp.api('GET', `/jobs/${job.body.id}`, undefined, tianjin)).status).toBe(404);
    expect((await cp.api('POST', `/jobs/${job.body.id}/cancel`, undefined, tianjin)).status).toBe(404);
    expect((await cp.api('GET', '/jobs', undefined, tianjin)).body.items).toEqual([]);
    expect(
      (
        await cp.api(
          'POST',
          '/jobs',
          {
            kind: 'command',
            command: { name: 'reboot' },
            selection: { city: 'beijing' },
            rollout: { ratePerMinute: 1 },
          },
          tianjin,
        )
      ).status,
    ).toBe(403);
    const beijing = await cp.issueToken('jobs-beijing-operator', 'operator', ['beijing']);
    expect((await cp.api('GET', `/jobs/${job.body.id}`, undefined, beijing)).status).toBe(200);
    expect((await cp.api('POST', `/jobs/${job.body.id}/pause`, undefined, beijing)).status).toBe(403);
  });

  /**
   * Opens the job's SSE stream; `all` settles with its `progress` events once the stream ends (after a
   * final state). Wrapped in an object: an async function's promise of a promise would wait for the end.
   */
  async function readEvents(path: string): Promise<{ all: Promise<any[]> }> {
    const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, {
      headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
    });
    expect(response.status).toBe(200);
    const all = response.text().then((text) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6))),
    );
    return { all };
  }
});
