import { ConfigError, loadConfig } from '../../src/infrastructure/config';
import { describeRedis, hasHashTag, parseRedisUrl } from '../../src/infrastructure/redis-config';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.2.3' });

function problemsOf(env: Record<string, string>): { message: string; problems: string[] } {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return { message: (error as ConfigError).message, problems: (error as ConfigError).problems };
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('REDIS_URL topologies', () => {
  it('keeps a redis:// or rediss:// URL as one server, for ioredis to read', () => {
    expect(load({ REDIS_URL: 'redis://:pw@cache:6379/2' }).redisTopology).toEqual({ mode: 'standalone', url: 'redis://:pw@cache:6379/2' });
    expect(load({ REDIS_URL: 'rediss://cache' }).redisTopology).toEqual({ mode: 'standalone', url: 'rediss://cache' });
    expect(load({}).redisTopology).toBeUndefined();
  });

  it('reads redis+sentinel:// as the sentinels (26379 by default), the primary group name, the db and both passwords', () => {
    const config = load({ REDIS_URL: 'redis+sentinel://app:s%40cret@sentinel-1:26380,sentinel-2,[::1]:26381/mymaster/3?sentinel_password=s3nt%2Finel' });
    expect(config.redisTopology).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 'sentinel-1', port: 26380 },
        { host: 'sentinel-2', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
      db: 3,
      username: 'app',
      password: 's@cret',
      tls: false,
      sentinelUsername: undefined,
      sentinelPassword: 's3nt/inel',
    });
    expect(config.redisUrl).toBe('redis+sentinel://app:s%40cret@sentinel-1:26380,sentinel-2,[::1]:26381/mymaster/3?sentinel_password=s3nt%2Finel');
    expect(parseRedisUrl('rediss+sentinel://s1:26379/primary')).toMatchObject({ mode: 'sentinel', tls: true, db: 0, password: undefined });
  });

  it('reads redis+cluster:// as seed nodes (6379 by default), with a hash-tagged key prefix', () => {
    const config = load({ REDIS_URL: 'rediss+cluster://:pw@node-1:7000,node-2', REDIS_KEY_PREFIX: '{vb}:' });
    expect(config.redisTopology).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'node-1', port: 7000 },
        { host: 'node-2', port: 6379 },
      ],
      username: undefined,
      password: 'pw',
      tls: true,
    });
  });

  it('refuses a Cluster whose key prefix has no hash tag: the service runs scripts and MGETs over several keys', () => {
    expect(problemsOf({ REDIS_URL: 'redis+cluster://node-1:7000' }).problems).toEqual([expect.stringMatching(/^REDIS_KEY_PREFIX: redis\+cluster:\/\/ needs a prefix with a hash tag, such as \{vb\}:/)]);
    expect(problemsOf({ REDIS_URL: 'redis+cluster://node-1:7000', REDIS_KEY_PREFIX: '{}:' }).problems).toHaveLength(1);
    expect(hasHashTag('{vb}:')).toBe(true);
    expect(hasHashTag('app:{vb}:')).toBe(true);
    expect(hasHashTag('vb:')).toBe(false);
    expect(hasHashTag('}{:')).toBe(false);
  });

  it.each([
    ['redis+sentinel://s1:26379', /needs the primary group name/],
    ['redis+sentinel://s1:26379/mymaster/x', /database .* must be a number/],
    ['redis+sentinel://s1:26379/mymaster/1/2', /path is \/<master name>\[\/<db>\]/],
    ['redis+sentinel://s1:26379/mymaster?password=x', /accepts only sentinel_password and sentinel_username/],
    ['redis+sentinel://s1:0/mymaster', /port of host number 1 must be from 1 to 65535/],
    ['redis+sentinel://s1:26379,,s2/mymaster', /no empty entry/],
    ['redis+sentinel:///mymaster', /no empty entry/],
    ['redis+cluster://n1:7000/0', /takes no path/],
    ['redis+cluster://n1:7000?tls=1', /takes no query parameters/],
    ['redis+cluster://n 1:7000', /host number 1 is not host:port/],
    ['redis://cache:notaport', /expected a redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ or redis\+cluster:\/\/ URL/],
    ['redis+replica://cache', /expected a redis:\/\/, rediss:\/\//],
  ])('refuses REDIS_URL=%s at start with a message naming the variable', (value, expected) => {
    const { problems } = problemsOf({ REDIS_URL: value, REDIS_KEY_PREFIX: '{vb}:' });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL: /)]);
    expect(problems[0]).toMatch(expected);
  });

  it('never echoes a password from a refused URL', () => {
    const { message } = problemsOf({ REDIS_URL: 'redis+sentinel://:Hunter2Secret@s1:26379/mymaster/notadb' });
    expect(message).not.toContain('Hunter2Secret');
  });

  it('describes a topology for the logs without its credentials', () => {
    expect(describeRedis(parseRedisUrl('redis+sentinel://:Hunter2Secret@s1,s2:26380/mymaster?sentinel_password=Hunter2Secret'))).toEqual({
      mode: 'sentinel',
      sentinels: ['s1:26379', 's2:26380'],
      master_name: 'mymaster',
    });
    expect(JSON.stringify(describeRedis(parseRedisUrl('redis+cluster://:Hunter2Secret@n1:7000')))).not.toContain('Hunter2Secret');
  });
});
