/**
 * REDIS_URL names one of three topologies:
 *
 *   redis://[user:password@]host:port[/db]          one server (rediss:// for TLS), as ioredis reads it
 *   redis+sentinel://[user:password@]host:port[,host:port...]/<master name>[/db][?sentinel_password=...&sentinel_username=...]
 *                                                   the sentinels to ask for the current primary (rediss+sentinel:// for TLS)
 *   redis+cluster://[user:password@]host:port[,host:port...]
 *                                                   seed nodes of a Redis Cluster (rediss+cluster:// for TLS)
 *
 * The user and password are the data nodes' (the primary and replicas, or every cluster node); a
 * sentinel's own password, when it has one, goes in `sentinel_password`. Percent-encode reserved
 * characters in any of them. Ports default to 26379 for sentinels and 6379 otherwise.
 */

import type { HostPort, RedisTopology } from '../adapters/redis/redis-topology';

export type { RedisTopology } from '../adapters/redis/redis-topology';


/** A problem with REDIS_URL, phrased without echoing the value (it may hold a password). */
export class RedisUrlError extends Error {}

const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

export function parseRedisUrl(value: string): RedisTopology {
  const trimmed = value.trim();
  const match = MULTI_HOST.exec(trimmed);
  if (!match) {
    let protocol: string;
    try {
      protocol = new URL(trimmed).protocol;
    } catch {
      throw new RedisUrlError('expected a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL');
    }
    if (protocol === 'redis:' || protocol === 'rediss:') return { mode: 'standalone', url: trimmed };
    throw new RedisUrlError('expected a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL');
  }
  const [, scheme, , userinfo, hostList, pathPart, query] = match;
  const tls = scheme === 'rediss';
  const { username, password } = credentials(userinfo);
  const mode = match[2] as 'sentinel' | 'cluster';
  const hosts = hostPorts(hostList ?? '', mode === 'sentinel' ? 26379 : 6379, mode);
  const params = new URLSearchParams(query ?? '');
  const segments = (pathPart ?? '').split('/').filter((s) => s !== '');

  if (mode === 'cluster') {
    if (segments.length > 0) throw new RedisUrlError('redis+cluster:// takes no path: a Redis Cluster has only database 0');
    const unknown = [...params.keys()];
    if (unknown.length > 0) throw new RedisUrlError(`redis+cluster:// takes no query parameters (got ${unknown.join(', ')})`);
    return { mode, nodes: hosts, username, password, tls };
  }

  const [masterName, dbText, ...rest] = segments.map(decode);
  if (!masterName) throw new RedisUrlError('redis+sentinel:// needs the primary group name as its path, e.g. redis+sentinel://sentinel-1:26379,sentinel-2:26379/mymaster');
  if (rest.length > 0) throw new RedisUrlError('redis+sentinel:// path is /<master name>[/<db>]');
  let db = 0;
  if (dbText !== undefined) {
    if (!/^\d{1,2}$/.test(dbText)) throw new RedisUrlError('redis+sentinel:// database (after the master name) must be a number from 0 to 99');
    db = Number(dbText);
  }
  const unknown = [...params.keys()].filter((k) => k !== 'sentinel_password' && k !== 'sentinel_username');
  if (unknown.length > 0) throw new RedisUrlError(`redis+sentinel:// accepts only sentinel_password and sentinel_username as query parameters (got ${unknown.join(', ')})`);
  return {
    mode,
    sentinels: hosts,
    masterName,
    db,
    username,
    password,
    tls,
    sentinelUsername: params.get('sentinel_username') ?? undefined,
    sentinelPassword: params.get('sentinel_password') ?? undefined,
  };
}

/** A hash tag (`{...}` with something inside) in the prefix puts every key the service writes in one Cluster slot. */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/** Where the topology's servers are, for logs: never the credentials. */
export function describeRedis(topology: RedisTopology): Record<string, unknown> {
  const list = (hosts: HostPort[]) => hosts.map((h) => `${h.host}:${h.port}`);
  switch (topology.mode) {
    case 'standalone':
      return { mode: 'standalone' };
    case 'sentinel':
      return { mode: 'sentinel', sentinels: list(topology.sentinels), master_name: topology.masterName };
    case 'cluster':
      return { mode: 'cluster', seed_nodes: list(topology.nodes) };
  }
}

function credentials(userinfo: string | undefined): { username: string | undefined; password: string | undefined } {
  if (userinfo === undefined || userinfo === '') return { username: undefined, password: undefined };
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { username: decode(userinfo) || undefined, password: undefined };
  return { username: decode(userinfo.slice(0, colon)) || undefined, password: decode(userinfo.slice(colon + 1)) || undefined };
}

function hostPorts(list: string, defaultPort: number, mode: string): HostPort[] {
  const entries = list.split(',').map((s) => s.trim());
  if (entries.length === 0 || entries.some((e) => e === '')) throw new RedisUrlError(`redis+${mode}:// needs a comma-separated list of host:port with no empty entry`);
  return entries.map((entry, index) => {
    // [v6 address]:port, or host:port, or host alone.
    const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(entry);
    const plain = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(entry);
    const parts = bracketed ?? plain;
    if (!parts) throw new RedisUrlError(`redis+${mode}:// host number ${index + 1} is not host:port`);
    const port = parts[2] === undefined ? defaultPort : Number(parts[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisUrlError(`redis+${mode}:// port of host number ${index + 1} must be from 1 to 65535`);
    return { host: parts[1]!, port };
  });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError('REDIS_URL has a malformed percent-encoding');
  }
}

/**
 * REDIS_URL and REDIS_KEY_PREFIX read together. The service's query cache and transaction effects
 * run scripts and MGETs over several keys at once, which a Cluster accepts only within one slot: in
 * Cluster mode the prefix must carry a hash tag, so all of this service's keys share a slot.
 */
export function redisTopologyOf(url: string | undefined, keyPrefix: string, problems: string[]): RedisTopology | undefined {
  if (url === undefined) return undefined;
  let topology: RedisTopology;
  try {
    topology = parseRedisUrl(url);
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    problems.push(`REDIS_URL: ${error.message} (got a value that is not shown)`);
    return undefined;
  }
  if (topology.mode === 'cluster' && !hasHashTag(keyPrefix)) {
    problems.push(
      `REDIS_KEY_PREFIX: redis+cluster:// needs a prefix with a hash tag, such as {vb}: (got ${JSON.stringify(keyPrefix)}), ` +
        'so that the keys one script or MGET touches share a Cluster slot',
    );
  }
  return topology;
}
