import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { loadConfig } from '../../src/infrastructure/config';

const DEPLOY = path.join(__dirname, '../../deploy');

/** Each kind used, checked against the Kubernetes OpenAPI schema kubernetes-models ships (types, required fields, enums). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

function manifests(): Array<{ file: string; doc: Manifest }> {
  const dir = path.join(DEPLOY, 'kubernetes');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((d) => {
        expect(d.errors).toEqual([]);
        return { file, doc: d.toJS() as Manifest };
      }),
    );
}

const find = (kind: string, name = 'visiobook-data-platform') => manifests().find(({ doc }) => doc.kind === kind && doc.metadata.name === name)!.doc as never as Record<string, any>;

describe('deploy/kubernetes', () => {
  it('every manifest is a kind the schema knows and validates against it', () => {
    const all = manifests();
    expect(all.map(({ doc }) => doc.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service', 'Service']);
    for (const { file, doc } of all) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect({ file, kind: `${doc.apiVersion}/${doc.kind}`, known: Model !== undefined }).toEqual({ file, kind: `${doc.apiVersion}/${doc.kind}`, known: true });
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    }
  });

  it('the validator does refuse a broken manifest (it is not a rubber stamp)', () => {
    const deployment = structuredClone(find('Deployment'));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'eighty-four';
    expect(() => new Deployment(deployment as never).validate()).toThrow(/containerPort must be integer/);
    const hpa = structuredClone(find('HorizontalPodAutoscaler'));
    delete hpa.spec.maxReplicas;
    expect(() => new HorizontalPodAutoscaler(hpa as never).validate()).toThrow(/maxReplicas/);
  });

  it('probes readiness on /health/ready and liveness on /health/live, names the internal port, and bounds resources', () => {
    const pod = find('Deployment').spec.template.spec;
    const [container] = pod.containers;
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'http', containerPort: 8084 }), expect.objectContaining({ name: 'internal', containerPort: 8085 })]));
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    const fromSecret = Object.fromEntries(
      container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]),
    );
    for (const name of ['JWT_SECRET', 'INTERNAL_SECRET', 'DATABASE_URL', 'DATABASE_SESSION_URL', 'REDIS_URL', 'ENCRYPTION_KEYS', 'BACKUP_ENCRYPTION_KEY']) {
      expect({ name, secret: fromSecret[name] }).toEqual({ name, secret: 'visiobook-data-platform' });
    }
    expect(find('ConfigMap').data.INTERNAL_PORT).toBe('8085');
    expect(find('HorizontalPodAutoscaler').spec.metrics[0].resource.name).toBe('cpu');
    expect(find('PodDisruptionBudget').spec.selector.matchLabels).toEqual(find('Deployment').spec.selector.matchLabels);
  });

  it('the ConfigMap and Secret together are a configuration the service accepts, once the key placeholders are real keys', () => {
    const secret = find('Secret').stringData as Record<string, string>;
    // The placeholders are deliberately not valid keys, so a copy deployed as is fails to start.
    expect(secret.BACKUP_ENCRYPTION_KEY).toMatch(/change-me/);
    const key = randomBytes(32).toString('base64');
    const env = { ...find('ConfigMap').data, ...secret, BACKUP_ENCRYPTION_KEY: key, ENCRYPTION_KEYS: `k1:${key}`, INTERNAL_ADVERTISE_URL: 'http://10.0.0.7:8085' };
    const config = loadConfig(env, { projectRoot: '/app', version: 'test' });
    expect(config.env).toBe('production');
    expect(config.redisTopology).toEqual({ mode: 'standalone', url: 'redis://redis:6379' });
  });
});

describe('deploy/compose and deploy/nginx', () => {
  /** `docker compose` (the CLI plugin) or Debian's docker-compose; neither needs a Docker engine for `config`. */
  function composeCommand(): string[] | null {
    if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
    if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
    return null;
  }
  const compose = composeCommand();
  const withCompose = compose ? it : it.skip;
  if (!compose) {
    // Visible in the output, so a skipped check is never mistaken for a passed one.
    console.warn('deploy/compose not checked: neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)');
  }

  withCompose('compose.yaml is a valid Compose file with env.example as its environment', () => {
    const dir = path.join(DEPLOY, 'compose');
    const args = [...compose!.slice(1), '-f', path.join(dir, 'compose.yaml'), '--env-file', path.join(dir, 'env.example'), 'config'];
    const result = spawnSync(compose![0]!, args, { encoding: 'utf8', env: { ...process.env, APP_ENV_FILE: 'env.example' }, timeout: 30_000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const rendered = parseAllDocuments(result.stdout)[0]!.toJS() as Record<string, any>;
    expect(Object.keys(rendered.services).sort()).toEqual(['app', 'nginx', 'pgbouncer', 'postgres', 'redis']);
    expect(rendered.services.app.deploy.replicas).toBe(3);
    expect(rendered.services.app.environment).toMatchObject({ INTERNAL_PORT: '8085', INTERNAL_SECRET: expect.stringMatching(/^change-me/), DATABASE_URL: expect.stringContaining('@pgbouncer:6432/'), DATABASE_SESSION_URL: expect.stringContaining('@postgres:5432/'), DB_PREPARED_STATEMENTS: 'false' });
    expect(JSON.stringify(rendered.services.app.healthcheck.test)).toContain('/health/ready');
  });

  it('nginx.conf passes `nginx -t` (with the upstream pointed at this machine)', () => {
    const nginx = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);
    if (!nginx) throw new Error('nginx is missing: apt-get install nginx (.ci/run does it when root)');
    const conf = readFileSync(path.join(DEPLOY, 'nginx/nginx.conf'), 'utf8');
    expect(conf).toMatch(/proxy_request_buffering off;/);
    expect(conf).toMatch(/client_max_body_size 0;/);
    const dir = mkdtempSync(path.join(tmpdir(), 'nginx-conf-'));
    try {
      // `app` only resolves inside Compose's network; everything else is checked as written.
      writeFileSync(path.join(dir, 'nginx.conf'), conf.replace('server app:8084', 'server 127.0.0.1:8084'));
      const result = spawnSync(nginx, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr', '-g', `pid ${dir}/nginx.pid;`], { encoding: 'utf8', timeout: 15_000 });
      expect({ status: result.status, out: result.stderr }).toEqual({ status: 0, out: expect.stringContaining('test is successful') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
