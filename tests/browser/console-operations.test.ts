import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Page } from 'playwright-core';
import { aPng, aWav } from '../support/media-fixtures';
import { tempMigrationsDir, type TempMigrationsDir } from '../support/migrations-dir';
import { aPdfSaying } from '../support/text-fixtures';
import { dropFiles, newPage, screenshot, seriousViolations, signInAsDevelopment, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { scratchDatabase } from '../support/scratch-database';

jest.setTimeout(120_000);

// page.evaluate callbacks run in the browser (the project compiles without the DOM library).
declare const document: any;
declare const sessionStorage: any;
type HTMLImageElement = any;
type HTMLAudioElement = any;

/** The signed-in token, read from the page (the console keeps it in sessionStorage). */
const tokenOf = (page: Page): Promise<string> => page.evaluate(() => sessionStorage.getItem('vb.console.token') as string);

/** The public API as the page's user, from the test (for setting the scene only). */
async function asPage(world: ConsoleWorld, page: Page, path: string, init: { method?: string; body?: unknown } = {}): Promise<any> {
  const res = await fetch(`${world.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${await tokenOf(page)}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * The console's job pages (transformations, backups) and the Database and CDN pages, against a service
 * over a database of its own (pg_dump reads all of it; the transformation and backup workers run).
 */
describe('the operator console: jobs, database and CDN pages in Chromium', () => {
  let world: ConsoleWorld;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let dataDir: string;
  let migrations: TempMigrationsDir;
  const restoredName = `console_restore_${process.pid}`;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-console-ops-'));
    migrations = tempMigrationsDir();
    world = await startConsoleWorld({
      MIGRATIONS_DIR: migrations.dir,
      DATABASE_URL: scratch.url,
      DATA_DIR: dataDir,
      TRANSFORM_CONCURRENCY: '1',
      BACKUP_WORKERS: '1',
      BACKUP_PROGRESS_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await world?.close();
    if (scratch) {
      const sql = new Client({ connectionString: scratch.url });
      await sql.connect();
      await sql.query(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
      await sql.end();
    }
    await scratch?.drop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    migrations?.remove();
  });

  it('runs an image resize from the Transformations page and shows it reach 100 % with its output image; audio and text outputs preview inline', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await dropFiles(page, '[data-testid="dropzone"]', [
        { name: 'wide.png', type: 'image/png', base64: aPng(320, 200).toString('base64') },
        { name: 'tone.wav', type: 'audio/wav', base64: aWav(2, 44_100).toString('base64') },
        { name: 'fox.pdf', type: 'application/pdf', base64: (await aPdfSaying('The quick brown fox', 'jumps over the lazy dog')).toString('base64') },
      ]);
      for (const name of ['wide.png', 'tone.wav', 'fox.pdf']) await page.locator(`[data-upload="${name}"][data-status="done"]`).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Transformations' }).click();
      await page.getByRole('heading', { name: 'Transformations', exact: true }).waitFor();
      const fileSelect = page.locator('select[name="source_file_id"]');
      await fileSelect.locator('option', { hasText: 'wide.png' }).waitFor({ state: 'attached' });
      await fileSelect.selectOption((await fileSelect.locator('option', { hasText: 'wide.png' }).getAttribute('value'))!);
      await page.locator('select[name="transformation_type"]').selectOption('image_resize');
      await page.getByLabel('Width (px)').fill('160');
      await page.getByLabel('Height (px)').fill('100');
      await page.locator('select[name="format"]').selectOption('png');
      await page.getByRole('button', { name: 'Start' }).click();

      const job = page.locator('li.job[data-job="image_resize"]').first();
      await job.locator('progress').waitFor();
      await page.locator('li.job[data-job="image_resize"][data-status="completed"]').waitFor({ timeout: 60_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\njob shows: ${await job.textContent()}`);
      });
      expect(await job.getByTestId('job-percent').textContent()).toBe('100 %');
      expect(await job.locator('progress').getAttribute('value')).toBe('100');
      expect(await job.getByTestId('output-name').textContent()).toMatch(/\.png$/);
      await page.waitForFunction(() => {
        const img = document.querySelector('[data-testid="output-image"]') as HTMLImageElement | null;
        return Boolean(img && img.complete && img.naturalWidth > 0);
      }, null, { timeout: 15_000 });
      const size = await page.locator('[data-testid="output-image"]').evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, h: img.naturalHeight }));
      // 320×200 fitted into 160×100.
      expect(size).toEqual({ w: 160, h: 100 });

      // Non-image outputs: an audio conversion plays inline, a PDF's extracted text is shown.
      const startFrom = async (name: string, type: string) => {
        await fileSelect.selectOption((await fileSelect.locator('option', { hasText: name }).getAttribute('value'))!);
        await page.locator('select[name="transformation_type"]').selectOption(type);
      };
      await startFrom('tone.wav', 'format_conversion');
      await page.locator('select[name="format"]').selectOption('ogg');
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('li.job[data-job="format_conversion"]').waitFor();
      await startFrom('fox.pdf', 'text_extraction');
      await page.getByRole('button', { name: 'Start' }).click();
      const audioJob = page.locator('li.job[data-job="format_conversion"]');
      const textJob = page.locator('li.job[data-job="text_extraction"]');
      for (const done of [audioJob, textJob]) {
        await done.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 }).catch(async (error) => {
          throw new Error(`${(error as Error).message}\njob shows: ${await done.textContent()}`);
        });
      }
      expect(await audioJob.getByTestId('output-name').textContent()).toMatch(/\.ogg$/);
      await page.waitForFunction(() => {
        const audio = document.querySelector('[data-testid="output-audio"]') as HTMLAudioElement | null;
        return Boolean(audio && audio.readyState >= 1 && audio.duration > 1.5);
      }, null, { timeout: 15_000 });
      await textJob.getByTestId('output-text').filter({ hasText: 'quick brown fox' }).waitFor({ timeout: 15_000 });
      expect(await textJob.getByTestId('job-source').textContent()).toBe('of fox.pdf');
      // Every job of the user is listed, newest first.
      expect(await page.locator('li.job').evaluateAll((items) => items.map((i) => i.getAttribute('data-job')))).toEqual(['text_extraction', 'format_conversion', 'image_resize']);
      await screenshot(page, 'transformations');
      expect(await seriousViolations(page)).toEqual([]);

      // Traffic for the CDN page's charts: wide.png made public and fetched through its CDN URL twice.
      const files = (await asPage(world, page, '/api/v1/storage/files?limit=100')).files as Array<{ id: string; original_name: string }>;
      const wide = files.find((f) => f.original_name === 'wide.png')!;
      await asPage(world, page, `/api/v1/storage/files/${wide.id}`, { method: 'PUT', body: { is_public: true } });
      const cdnUrl = (await asPage(world, page, `/api/v1/storage/files/${wide.id}`)).urls.cdn as string;
      for (let i = 0; i < 2; i++) expect((await fetch(`${world.baseUrl}${new URL(cdnUrl).pathname}`)).status).toBe(200);

      // The CDN page (every user): stats for a period, and a purge of the chosen file with its per-provider status.
      await page.getByRole('link', { name: 'CDN' }).click();
      await page.getByRole('heading', { name: 'CDN', exact: true }).waitFor();
      await page.locator('[data-stat="cdn-requests"] .stat-value').waitFor();
      // Counted once each response is out: the period is chosen again until both requests show.
      for (let i = 0; await page.locator('[data-stat="cdn-requests"] .stat-value').textContent() !== '2'; i++) {
        if (i === 20) throw new Error(`the CDN page shows ${await page.locator('[data-stat="cdn-requests"] .stat-value').textContent()} requests, not 2`);
        await page.waitForTimeout(250);
        await page.getByLabel('Period').selectOption(i % 2 ? '7d' : '24h');
      }
      const charts = page.getByTestId('cdn-charts');
      expect(await charts.locator('canvas').count()).toBe(3);
      expect(await charts.getByRole('img').count()).toBe(3);
      expect(await charts.getAttribute('data-requests')).toBe('2');
      // 24h: hourly, 25 intervals; 7d: every 6 hours, 29.
      expect(['25', '29']).toContain(await charts.getAttribute('data-intervals'));
      expect(await page.getByTestId('cdn-busiest').textContent()).toMatch(/Busiest: .*, 2 requests/);
      await page.getByRole('checkbox', { name: 'wide.png' }).check();
      await page.getByRole('button', { name: 'Purge' }).click();
      const purge = page.getByTestId('purge');
      await purge.waitFor();
      expect(await purge.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
      expect(await purge.textContent()).toMatch(/Purge of 1 file/);
      // No CDN is configured here: the purge completes for the provider "none".
      await page.locator('[data-testid="purge"][data-status="completed"] tr[data-provider="none"]').waitFor({ timeout: 15_000 });
      await screenshot(page, 'cdn');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('creates a backup from the Backups page, restores it into a new database; exports a query as CSV, runs a migration to completion, and restores the backup in place', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'admin');
      await page.getByRole('link', { name: 'Backups' }).click();
      await page.getByRole('heading', { name: 'Backups' }).waitFor();
      const policy = page.getByTestId('backup-policy');
      await policy.waitFor();
      expect(await policy.textContent()).toContain('expire 30 days after completion; the newest 3 always kept');
      await page.getByLabel('Label').fill('from the console');
      await page.getByRole('button', { name: 'Create a backup' }).click();
      const item = page.locator('li.job').filter({ hasText: 'from the console' });
      await item.waitFor();
      await page.locator('li.job[data-status="completed"]').filter({ hasText: 'from the console' }).waitFor({ timeout: 60_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\nbackup shows: ${await item.textContent()}`);
      });
      expect(await item.getByTestId('backup-percent').textContent()).toBe('100 %');
      expect(await item.textContent()).toMatch(/encrypted/);
      await item.getByRole('button', { name: 'Download' }).waitFor();
      await screenshot(page, 'backups');
      expect(await seriousViolations(page)).toEqual([]);

      // Restore it into a new database: the dialog, then the restore's progress to its report.
      await item.getByRole('button', { name: 'Restore…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('radio', { name: /a new database/ }).check();
      await dialog.getByLabel('Database name').fill(restoredName);
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
      const restore = page.locator('[data-testid="restore"][data-status="completed"]');
      await restore.waitFor({ timeout: 60_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\nrestore shows: ${await page.getByTestId('restore').textContent()}`);
      });
      expect(await restore.textContent()).toMatch(/100 %/);
      expect(await restore.textContent()).toMatch(/rows in \d+ tables; (\d+) of \1 manifest files present, 0 missing/);

      // The Database page: table sizes, a restricted SELECT with its result table, migrations.
      await page.getByRole('link', { name: 'Database' }).click();
      await page.getByRole('heading', { name: 'Database', exact: true }).waitFor();
      await page.locator('.bars li[data-table="files"]').waitFor({ timeout: 15_000 });
      await page.getByTestId('migrations').filter({ hasText: 'up to date' }).waitFor();
      await page.getByRole('textbox', { name: 'SQL' }).fill('SELECT original_name, mime_type FROM files ORDER BY original_name');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.getByTestId('sql-summary').waitFor();
      expect(await page.getByTestId('sql-result').locator('thead th').allTextContents()).toEqual(['original_name', 'mime_type']);
      expect(await page.getByTestId('sql-result').locator('tbody td:first-child').allTextContents()).toContain('wide.png');

      // CSV export: the downloaded file holds the result as the table shows it.
      const shown = await page.getByTestId('sql-result').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td: any) => td.textContent)));
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      expect(download.suggestedFilename()).toBe('query.csv');
      const csv = await fs.readFile((await download.path())!, 'utf8');
      expect(csv).toBe(`${['original_name,mime_type', ...shown.map((r) => r.join(','))].join('\r\n')}\r\n`);
      expect(csv).toContain('\r\nwide.png,image/png\r\n');
      expect(csv).toContain('\r\nfox.pdf,application/pdf\r\n');
      await screenshot(page, 'database');
      expect(await seriousViolations(page)).toEqual([]);

      // A migration shipped after the service started: shown pending, run with its progress to 100 %.
      migrations.write('20991231_001_console_notes.sql', '-- description: Console test notes\n-- estimated_duration_ms: 100\nCREATE TABLE console_notes (note TEXT);\nINSERT INTO console_notes VALUES (\'after the backup\');\n');
      await page.getByRole('link', { name: 'Backups' }).click();
      await page.getByRole('heading', { name: 'Backups' }).waitFor();
      await page.getByRole('link', { name: 'Database' }).click();
      await page.getByTestId('migrations').filter({ hasText: '1 pending' }).waitFor();
      await page.getByText('Console test notes').waitFor();
      await page.getByRole('button', { name: 'Run the pending migrations' }).click();
      const run = page.locator('[data-testid="migration-run"][data-status="completed"]');
      await run.waitFor({ timeout: 30_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\nmigrations show: ${await page.getByRole('heading', { name: 'Migrations' }).locator('..').textContent()}`);
      });
      expect(await run.locator('.upload-percent').textContent()).toBe('100 %');
      expect(await run.getByRole('progressbar', { name: 'Migration run progress' }).getAttribute('value')).toBe('100');
      await page.getByTestId('migrations').filter({ hasText: 'up to date' }).waitFor();
      expect(await page.getByTestId('migrations').textContent()).toContain('20991231_001');

      // After the backup: the migration's table, and wide.png renamed. An in-place restore brings the backup's state back.
      // (The user's file, found and renamed by the admin.)
      const found = await asPage(world, page, '/api/v1/db/query', { method: 'POST', body: { sql: "SELECT id::text AS id FROM files WHERE original_name = 'wide.png'" } });
      const wideId = (found.rows as unknown[][])[0]![0] as string;
      await asPage(world, page, `/api/v1/storage/files/${wideId}`, { method: 'PUT', body: { original_name: 'renamed-after-backup.png' } });
      await page.getByRole('link', { name: 'Backups' }).click();
      const backup = page.locator('li.job[data-status="completed"]').filter({ hasText: 'from the console' });
      await backup.getByRole('button', { name: 'Restore…' }).click();
      const inPlace = page.getByRole('dialog');
      await inPlace.getByRole('radio', { name: /the live database, in place/ }).check();
      const replace = inPlace.getByRole('button', { name: 'Replace the live database' });
      expect(await replace.isDisabled()).toBe(true);
      const backupId = (await backup.getAttribute('data-backup'))!;
      await inPlace.getByLabel('Backup id').fill(backupId.slice(0, -1));
      expect(await replace.isDisabled()).toBe(true);
      await inPlace.getByLabel('Backup id').fill(backupId);
      await replace.click();
      const restoredInPlace = page.locator('[data-testid="restore"][data-status="completed"]').filter({ hasText: 'the live database' });
      await restoredInPlace.waitFor({ timeout: 90_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\nrestore shows: ${await page.getByTestId('restore').textContent()}`);
      });
      expect(await restoredInPlace.textContent()).toMatch(/100 %/);
      expect(await restoredInPlace.textContent()).toMatch(/Undo with the pre-restore backup [0-9a-f-]{36}/);

      // The data is back as it was: wide.png under its name, the migration (and its table) not applied.
      await page.getByRole('link', { name: 'Database' }).click();
      await page.getByTestId('migrations').filter({ hasText: '1 pending' }).waitFor({ timeout: 15_000 });
      await page.getByRole('textbox', { name: 'SQL' }).fill("SELECT original_name FROM files WHERE original_name IN ('wide.png', 'renamed-after-backup.png')");
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.getByTestId('sql-result').locator('tbody td', { hasText: 'wide.png' }).waitFor();
      expect(await page.getByTestId('sql-result').locator('tbody td').allTextContents()).toEqual(['wide.png']);
      await page.getByRole('textbox', { name: 'SQL' }).fill('SELECT note FROM console_notes');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: /console_notes|does not exist/ }).waitFor();
    } finally {
      await context.close();
    }
  });
});
