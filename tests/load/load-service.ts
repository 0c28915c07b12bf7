import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { listeningPid } from '../support/listening-pid';
import { createDatabase, dropDatabase } from '../support/run-resources';
import { ServiceProcess } from '../support/service-process';
import { TEST_JWT_SECRET } from '../support/tokens';

export interface LoadServers {
  /** Admin URL of a database on the PostgreSQL server, to create and drop the run's database. */
  adminUrl: string;
  redisUrl: string;
  /** Names this run's database (`vb_test_<tag>_load…`) and Redis prefix. */
  tag: string;
  /** DB_POOL_MAX of the service. */
  poolMax: number;
}

/**
 * The real service (its main, in a child process) on a database, a Redis key prefix and a disk
 * STORAGE_DIR of its own, all removed by `dispose`.
 */
export class LoadService {
  readonly base: string;
  readonly storageDir: string;
  readonly db: Client;
  private constructor(
    private readonly servers: LoadServers,
    private readonly databaseName: string,
    readonly keyPrefix: string,
    private readonly home: string,
    private readonly port: number,
    readonly process: ServiceProcess,
    databaseUrl: string,
  ) {
    this.base = `http://127.0.0.1:${port}`;
    this.storageDir = path.join(home, 'storage');
    this.db = new Client({ connectionString: databaseUrl });
  }

  static async start(servers: LoadServers): Promise<LoadService> {
    const suffix = randomBytes(3).toString('hex');
    const databaseName = `vb_test_${servers.tag}_load${suffix}`;
    const databaseUrl = await createDatabase(servers.adminUrl, databaseName);
    const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'vb-load-'));
    const port = await freePort();
    const keyPrefix = `vbtest:${servers.tag}:load${suffix}:`;
    const service = new ServiceProcess({
      NODE_ENV: 'test',
      PORT: String(port),
      PROMETHEUS_PORT: '0',
      DATABASE_URL: databaseUrl,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      MIGRATE_ON_START: 'true',
      JWT_SECRET: TEST_JWT_SECRET,
      STORAGE_PROVIDER: 'local_disk',
      STORAGE_DIR: path.join(home, 'storage'),
      DATA_DIR: home,
      DB_POOL_MAX: String(servers.poolMax),
      BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      BACKUP_WORKERS: '1',
      TRANSFORM_CONCURRENCY: '2',
      RATE_LIMIT_USER: '1000000000',
      RATE_LIMIT_ADMIN: '1000000000',
      LOG_LEVEL: 'warn',
    });
    const load = new LoadService(servers, databaseName, keyPrefix, home, port, service, databaseUrl);
    try {
      service.start();
      await service.waitFor(`${load.base}/health/ready`, 200, 120_000);
      await load.db.connect();
      return load;
    } catch (error) {
      await load.dispose();
      throw error;
    }
  }

  /** The pid of the process serving the port (under tsx, a child of the one started). */
  servicePid(): number {
    return listeningPid(this.port);
  }

  async dispose(): Promise<void> {
    await this.process.stop('SIGTERM').catch(() => undefined);
    await this.db.end().catch(() => undefined);
    await dropDatabase(this.servers.adminUrl, this.databaseName).catch(() => undefined);
    await clearPrefix(this.servers.redisUrl, this.keyPrefix).catch(() => undefined);
    await fsp.rm(this.home, { recursive: true, force: true });
  }
}

async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
