import { ConfigError, loadConfig, type AppConfig } from '@citypulse/config';
import { startApps, type ProcessApp } from './process-apps.js';

/**
 * Entry for every deployable process: validates the configuration (exiting with the list of bad
 * variables), starts the apps, logs the "citypulse started" line with the bound ports (tests and
 * benches read them from it), and stops them cleanly on SIGINT/SIGTERM. `apps` is fixed for a
 * one-app process, or chosen from the configuration by the all-in-one (CP_APPS).
 */
export async function runProcess(
  apps: readonly ProcessApp[] | ((config: AppConfig) => readonly ProcessApp[]),
): Promise<void> {
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
  const chosen = typeof apps === 'function' ? apps(config) : apps;
  const running = await startApps(config, chosen);
  const names = chosen.map((app) => app.name).join(', ');
  console.log(
    JSON.stringify({
      msg: 'citypulse started',
      apps: names,
      ...running.ports,
      httpPort: running.httpPort,
      healthPort: running.healthPort,
      instance: config.instanceId,
    }),
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
