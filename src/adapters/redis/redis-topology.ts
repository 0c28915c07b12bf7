/** Where Redis is: one server (a URL ioredis reads), the sentinels of a primary group, or a Cluster's seed nodes. */
export interface HostPort {
  host: string;
  port: number;
}

export interface RedisCredentials {
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

export type RedisTopology =
  | { mode: 'standalone'; url: string }
  | ({ mode: 'sentinel'; sentinels: HostPort[]; masterName: string; db: number; sentinelUsername: string | undefined; sentinelPassword: string | undefined } & RedisCredentials)
  | ({ mode: 'cluster'; nodes: HostPort[] } & RedisCredentials);

