import { ConfigError, loadConfig } from '@citypulse/config';
import { startCitypulse, type AppName } from './run-apps.js';

/**
 * Entry for every deployable process: validates the configuration (exiting with the list of bad
 * variables), starts the named apps, and stops them cleanly on SIGINT/SIGTERM.
 */
export async function runProcess(apps?: AppName[]): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const running = await startCitypulse(config, apps ?? config.apps);
  const names = [...(apps ?? config.apps)].join(', ');
  console.log(
    JSON.stringify({ msg: 'citypulse started', apps: names, mqttPort: running.mqttPort, httpPort: running.httpPort, healthPort: running.healthPort, instance: config.instanceId }),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ msg: 'citypulse stopping', signal }));
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    await running.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
