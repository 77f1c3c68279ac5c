import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { PrivateRedis } from './private-redis.js';

/**
 * A port found free may be taken before the server binds it (another test's server, in another
 * jest worker). The harness must not then hand the test whatever answers on that port.
 */
describe('PrivateRedis', () => {
  it('starts on another free port when its own was taken before it started, and is the server it runs', async () => {
    const server = await PrivateRedis.create({ appendfsync: 'always' });
    const taken = server.port;
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    try {
      await server.start();
      expect(server.port).not.toBe(taken);
      const redis = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      try {
        expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
        expect(Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1])).toBe(server.pid);
      } finally {
        redis.disconnect();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await server.destroy();
    }
  });
});
