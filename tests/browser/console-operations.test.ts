import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { aPng } from '../support/media-fixtures';
import { dropFiles, newPage, screenshot, seriousViolations, signInAsDevelopment, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { scratchDatabase } from '../support/scratch-database';

jest.setTimeout(120_000);

// page.evaluate callbacks run in the browser (the project compiles without the DOM library).
declare const document: any;
type HTMLImageElement = any;

/**
 * The console's job pages (transformations, backups) and the Database and CDN pages, against a service
 * over a database of its own (pg_dump reads all of it; the transformation and backup workers run).
 */
describe('the operator console: jobs, database and CDN pages in Chromium', () => {
  let world: ConsoleWorld;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let dataDir: string;
  const restoredName = `console_restore_${process.pid}`;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-console-ops-'));
    world = await startConsoleWorld({
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
  });

  it('runs an image resize from the Transformations page and shows it reach 100 % with its output image', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await dropFiles(page, '[data-testid="dropzone"]', [{ name: 'wide.png', type: 'image/png', base64: aPng(320, 200).toString('base64') }]);
      await page.locator('[data-upload="wide.png"][data-status="done"]').waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Transformations' }).click();
      await page.getByRole('heading', { name: 'Transformations' }).waitFor();
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
      await screenshot(page, 'transformations');
      expect(await seriousViolations(page)).toEqual([]);

      // The CDN page (every user): stats for a period, and a purge of the chosen file with its per-provider status.
      await page.getByRole('link', { name: 'CDN' }).click();
      await page.getByRole('heading', { name: 'CDN', exact: true }).waitFor();
      await page.locator('[data-stat="cdn-requests"] .stat-value').waitFor();
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

  it('creates a backup from the Backups page, shows it complete with the schedule and retention, and restores it into a new database', async () => {
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
      expect(await restore.textContent()).toMatch(/rows in \d+ tables; 2 of 2 manifest files present, 0 missing/);

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
      await page.getByRole('button', { name: 'Export CSV' }).waitFor();
      await screenshot(page, 'database');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
