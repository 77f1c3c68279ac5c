// Screenshots of the operator console for docs/, taken with playwright-core and Debian's
// Chromium against a running citypulse that has data (e.g. `npm start`, whose simulated fleet
// raises a demo alert). `npm run screenshots -- [--api http://127.0.0.1:13000] [--out docs]`;
// the token comes from CP_API_TOKEN, else .stack/api-token (as the other CLIs).
//
// --demo first gives the sensor's city an MQTT channel and a critical escalation policy (level 1
// at once, level 2 after 5 s, repeated every 10 s twice), then adds a few device-scoped rules on
// one of the fleet's env sensors (a critical and two warnings, one without a description) and
// acknowledges one with a note, so the pictures show what the queue does with several
// severities and how an unacknowledged critical alert escalates. It changes the running
// service: never point it at one that operators use.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    api: { type: 'string', default: `http://127.0.0.1:${process.env.CP_HTTP_PORT || 13000}` },
    out: { type: 'string', default: 'docs' },
    chromium: { type: 'string', default: process.env.CP_TEST_CHROMIUM ?? '/usr/bin/chromium' },
    demo: { type: 'boolean', default: false },
  },
});
const api = args.api.replace(/\/+$/, '');
const token = process.env.CP_API_TOKEN || readFileSync('.stack/api-token', 'utf8').trim();

async function call(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Polls `read` until `done` holds (the stack raises alerts asynchronously). */
async function until(what, read, done, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function demo() {
  const { items } = await call('GET', '/devices?type=env-sensor&online=true&limit=1');
  const device = items[0];
  if (!device) throw new Error('--demo needs an online env-sensor (npm start runs a fleet with some)');
  const city = encodeURIComponent(device.city);
  await call('POST', `/cities/${city}/channels`, { id: 'demo-mqtt', kind: 'mqtt', name: 'operators over MQTT' }).catch(
    (error) => {
      if (!/: 409 /.test(error.message)) throw error;
    },
  );
  await call('PUT', `/cities/${city}/escalation-policies/critical`, {
    levels: [
      { afterSeconds: 0, channels: ['demo-mqtt'] },
      { afterSeconds: 5, channels: ['demo-mqtt'] },
    ],
    repeatSeconds: 10,
    maxRepeats: 2,
  });
  const rule = (suffix, severity, threshold, description) => ({
    id: `demo-${suffix}-${device.id}`,
    deviceType: 'env-sensor',
    scope: { deviceId: device.id },
    field: 'co2',
    condition: { kind: 'above', threshold, clearBelow: threshold - 50 },
    severity,
    ...(description && { description }),
  });
  for (const r of [
    rule('critical', 'critical', 500, 'CO₂ dangerous: evacuate the floor'),
    rule('warning', 'warning', 450, 'CO₂ high: ventilate'),
    rule('plain', 'warning', 400),
  ]) {
    await call('PUT', `/rules/${encodeURIComponent(r.id)}`, r);
  }
  const alerts = await until(
    'the demo alerts',
    async () => (await call('GET', `/alerts?deviceId=${encodeURIComponent(device.id)}&state=active`)).items,
    (a) => a.length >= 3,
  );
  const warning = alerts.find((a) => a.ruleId === `demo-warning-${device.id}` && a.state === 'open');
  if (warning)
    await call('POST', `/alerts/${encodeURIComponent(warning.id)}/acknowledge`, {
      by: 'dana',
      note: 'facilities asked to open the vents',
    });
  const critical = alerts.find((a) => a.ruleId === `demo-critical-${device.id}`);
  const steps = async () =>
    (await call('GET', `/alerts/${encodeURIComponent(critical.id)}/history`)).items.filter(
      (e) => e.kind === 'escalation-step',
    );
  await until('the critical alert escalating (level 2 and a repeat)', steps, (s) => s.length >= 3);
  return device.id;
}

const demoDevice = args.demo ? await demo() : undefined;
await mkdir(args.out, { recursive: true });
const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api}/console/#/alerts`);
  await page.fill('input[name=token]', token);
  await page.fill('input[name=operator]', 'dana');
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');

  await page.locator('li.alert').first().waitFor();
  await page.locator('.summary[data-total]:not([data-total=""])').waitFor();
  await page.screenshot({ path: `${args.out}/console-alerts.png` });

  const deviceId = demoDevice ?? (await page.locator('li.alert a.device-link').first().textContent());
  await page.goto(`${api}/console/#/device/${encodeURIComponent(deviceId)}`);
  await page.locator('figure.chart svg circle.point').first().waitFor();
  // The last 15 minutes: a fleet started minutes ago fills this range.
  await page.click('.ranges button[data-range="15m"]');
  await page.locator('.charts[data-range="15m"] figure.chart svg circle.point').first().waitFor();
  await page.screenshot({ path: `${args.out}/console-device.png`, fullPage: true });

  // The escalation history: the device's most severe alert with its transitions opened (raised,
  // each escalation step and delivery, acknowledgements).
  const entries = page.locator('.alert-history li.alert-entry');
  await entries.first().waitFor();
  const critical = page.locator('.alert-history li.alert-entry.sev-critical').first();
  const entry = (await critical.count()) > 0 ? critical : entries.first();
  await entry.locator('button', { hasText: 'history' }).click();
  await entry.locator('.transitions li').first().waitFor();
  await entry.screenshot({ path: `${args.out}/console-escalation-history.png` });
  console.log(`wrote ${args.out}/console-alerts.png, console-device.png, console-escalation-history.png`);
} finally {
  await browser.close();
}
