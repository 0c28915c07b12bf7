import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The layer rules of .dependency-cruiser.js (run by `npm run lint:layers` in `npm test`): a tree
 * breaking each rule once must be reported rule by rule, one keeping them must not, and neither
 * must the service's own src.
 */

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.js');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

async function cruise(cwd: string): Promise<Violation[]> {
  const run = promisify(execFile);
  // depcruise exits non-zero when it finds violations; its JSON report is on stdout either way.
  const { stdout } = await run(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report: { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } } = JSON.parse(stdout);
  return report.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'layer-rules-'));
  await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** Every layer, each importing only what it may: the picture STYLE.md draws. */
const LAWFUL = {
  'src/domain/order.ts': "import { createHash } from 'node:crypto';\nexport const id = (s: string) => createHash('sha256').update(s).digest('hex');\n",
  'src/application/ports/store.port.ts': "import type { Readable } from 'node:stream';\nexport interface Store { get(key: string): Promise<Readable>; }\n",
  'src/application/place-order.ts':
    "import { pipeline } from 'node:stream/promises';\nimport { id } from '../domain/order';\nimport type { Store } from './ports/store.port';\nexport const placeOrder = (s: Store) => [id('x'), s, pipeline];\n",
  'src/adapters/disk-store.ts': "import { readFile } from 'node:fs/promises';\nimport type { Store } from '../application/ports/store.port';\nexport const diskStore: Store = { get: () => Promise.reject(new Error(String(readFile))) };\n",
  'src/adapters/http/routes.ts': "import { diskStore } from '../disk-store';\nexport const routes = [diskStore];\n",
  'src/infrastructure/container.ts':
    "import { diskStore } from '../adapters/disk-store';\nimport { placeOrder } from '../application/place-order';\nexport const container = placeOrder(diskStore);\n",
};

describe('layer rules (.dependency-cruiser.js)', () => {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((root) => rm(root, { recursive: true, force: true })));
  });

  it('passes a tree that keeps them', async () => {
    const root = await tree(LAWFUL);
    made.push(root);
    await expect(cruise(root)).resolves.toEqual([]);
  });

  it('reports each kind of violation, by rule', async () => {
    const root = await tree({
      ...LAWFUL,
      'src/domain/reads-disk.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      'src/domain/knows-adapter.ts': "import type { Store } from '../application/ports/store.port';\nimport { diskStore } from '../adapters/disk-store';\nexport const x: Store = diskStore;\n",
      'src/application/uses-adapter.ts': "import type { diskStore } from '../adapters/disk-store';\nexport type D = typeof diskStore;\n",
      'src/application/writes-files.ts': "import { writeFile } from 'node:fs/promises';\nexport const write = writeFile;\n",
      'src/adapters/reads-config.ts': "import { container } from '../infrastructure/container';\nexport const c = container;\n",
      'src/application/ping.ts': "import { pong } from './pong';\nexport const ping = () => pong;\n",
      'src/application/pong.ts': "import { ping } from './ping';\nexport const pong = () => ping;\n",
    });
    made.push(root);
    const found = await cruise(root);
    expect(found).toEqual(
      expect.arrayContaining([
        { rule: 'domain-imports-only-domain', from: 'src/domain/reads-disk.ts', to: 'fs' },
        { rule: 'domain-imports-only-domain', from: 'src/domain/knows-adapter.ts', to: 'src/application/ports/store.port.ts' },
        { rule: 'domain-imports-only-domain', from: 'src/domain/knows-adapter.ts', to: 'src/adapters/disk-store.ts' },
        { rule: 'only-infrastructure-imports-adapters', from: 'src/domain/knows-adapter.ts', to: 'src/adapters/disk-store.ts' },
        // A type-only import couples the layers too.
        { rule: 'application-imports-only-domain-and-application', from: 'src/application/uses-adapter.ts', to: 'src/adapters/disk-store.ts' },
        { rule: 'only-infrastructure-imports-adapters', from: 'src/application/uses-adapter.ts', to: 'src/adapters/disk-store.ts' },
        { rule: 'application-imports-only-domain-and-application', from: 'src/application/writes-files.ts', to: 'fs/promises' },
        { rule: 'nothing-imports-infrastructure', from: 'src/adapters/reads-config.ts', to: 'src/infrastructure/container.ts' },
        { rule: 'no-circular', from: 'src/application/ping.ts', to: 'src/application/pong.ts' },
      ]),
    );
    // Nothing of the lawful part is reported alongside.
    expect(found.filter((v) => Object.keys(LAWFUL).includes(v.from))).toEqual([]);
  });

  it('finds no violation in the service itself', async () => {
    await expect(cruise(ROOT)).resolves.toEqual([]);
  }, 60_000);
});
