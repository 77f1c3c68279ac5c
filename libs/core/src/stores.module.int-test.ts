import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import { CommandStore } from '@citypulse/commands';
import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, keysMatching, testConfig } from '@citypulse/testing';
import { CoreModule } from './core.module.js';
import { redisStore } from './stores.module.js';
import { REDIS } from './tokens.js';

/** An app's own store, provided by the app with redisStore. */
class NoteStore {
  constructor(
    readonly redis: RedisClient,
    readonly prefix: string,
  ) {}

  async put(id: string, text: string): Promise<void> {
    await this.redis.set(`${this.prefix}:notes:${id}`, text);
  }
}

@Injectable()
class ApiSide {
  constructor(
    readonly audit: AuditLog,
    readonly notes: NoteStore,
    readonly commands: CommandStore,
  ) {}
}

@Injectable()
class AlertsSide {
  constructor(readonly audit: AuditLog) {}
}

@Module({ providers: [ApiSide, redisStore(NoteStore)] })
class ApiLikeModule {}

@Module({ providers: [AlertsSide] })
class AlertsLikeModule {}

/**
 * The stores as two apps of one process (the all-in-one) receive them: each shared store once, on
 * the process's main connection and the deployment's prefix; an app's own store from redisStore.
 */
describe.each(REDIS_FLAVOURS)('StoresModule on $name', (flavour) => {
  let config: AppConfig;
  let app: INestApplicationContext;

  beforeAll(async () => {
    config = testConfig(flavour.env());
    @Module({ imports: [CoreModule.forRoot(config), ApiLikeModule, AlertsLikeModule] })
    class ProcessRoot {}
    app = await NestFactory.createApplicationContext(ProcessRoot, { logger: ['error', 'warn'] });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await flushPrefix(config);
  });

  it('gives every app the one instance of a shared store, writing under the deployment’s prefix', async () => {
    const api = app.get(ApiSide);
    const alerts = app.get(AlertsSide);
    expect(api.audit).toBe(alerts.audit);
    await api.audit.record({ actor: 'tester', action: 'test.record', target: 'test:1' });
    const page = await alerts.audit.list({ limit: 10 });
    expect(page.items.map((e) => e.action)).toEqual(['test.record']);
    expect(await keysMatching(app.get<RedisClient>(REDIS), `${config.redis.prefix}:audit`)).toEqual([
      `${config.redis.prefix}:audit`,
    ]);
  });

  it('builds an app’s own store on the main connection and prefix, and a store that takes configuration with it', async () => {
    const api = app.get(ApiSide);
    expect(api.notes.redis).toBe(app.get(REDIS));
    expect(api.notes.prefix).toBe(config.redis.prefix);
    await api.notes.put('n1', 'hello');
    expect(await keysMatching(app.get<RedisClient>(REDIS), `${config.redis.prefix}:notes:*`)).toEqual([
      `${config.redis.prefix}:notes:n1`,
    ]);
    expect(api.commands).toBeInstanceOf(CommandStore);
  });
});
