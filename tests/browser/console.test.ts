import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { aPng, aWav } from '../support/media-fixtures';
import { dropFiles, newPage, screenshot, seriousViolations, signInAsDevelopment, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';

jest.setTimeout(120_000);

// page.evaluate callbacks run in the browser; the project compiles without the DOM library, so its
// globals are declared here, in this module only.
declare const document: any;
declare const sessionStorage: any;
type HTMLImageElement = any;
type HTMLVideoElement = any;

/** A 4 s VP8 WebM (Chromium plays it without proprietary codecs), made with Debian's ffmpeg. */
function aWebm(): Buffer {
  const out = path.join(os.tmpdir(), `console-${process.pid}.webm`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=4:size=160x120:rate=10', '-c:v', 'libvpx', '-b:v', '200k', out]);
  const bytes = fs.readFileSync(out);
  fs.rmSync(out, { force: true });
  return bytes;
}

const asDrop = (name: string, type: string, bytes: Buffer, lastModified?: number) => ({ name, type, base64: bytes.toString('base64'), ...(lastModified ? { lastModified } : {}) });

async function statValue(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-stat="${id}"] .stat-value`).textContent()) ?? '';
}

describe('the operator console in Chromium', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsoleWorld();
  });
  afterAll(() => world?.close());

  it('signs an admin in; the overview shows health cards and live numbers that move under load', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'admin');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.locator('.card[data-check="postgresql"]').filter({ hasText: 'UP' }).waitFor();
      await page.locator('[data-stat="requests-per-second"] .stat-value').filter({ hasNotText: '—' }).waitFor({ timeout: 15_000 });
      const before = Number(await statValue(page, 'requests-total'));
      // A small load from outside the page: forty health checks.
      await Promise.all(Array.from({ length: 40 }, () => fetch(`${world.baseUrl}/health`)));
      await page.waitForFunction((n) => Number(document.querySelector('[data-stat="requests-total"] .stat-value')?.textContent) >= n + 40, before, { timeout: 15_000 });
      expect(Number(await statValue(page, 'requests-per-second'))).toBeGreaterThan(0);
      expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(6);
      expect(page.url()).not.toContain('eyJ');
      await screenshot(page, 'overview');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a user sees only the user pages, and the admin API refuses the user (403)', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await page.getByRole('heading', { name: 'Files' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(['Files', 'Transformations', 'CDN', 'Audit']);
      await page.goto('/console/overview');
      await page.getByRole('heading', { name: 'Not available' }).waitFor();
      const status = await page.evaluate(async () => {
        const token = sessionStorage.getItem('vb.console.token');
        return (await fetch('/api/v1/admin/metrics/summary', { headers: { Authorization: `Bearer ${token}` } })).status;
      });
      expect(status).toBe(403);
      for (const [pagePath, apiPath] of [['database', '/api/v1/db/status'], ['backups', '/api/v1/db/backups']] as const) {
        await page.goto(`/console/${pagePath}`);
        await page.getByRole('heading', { name: 'Not available' }).waitFor();
        const refused = await page.evaluate(async (url) => {
          const token = sessionStorage.getItem('vb.console.token');
          return (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status;
        }, apiPath);
        expect(refused).toBe(403);
      }
      await screenshot(page, 'user-denied');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('uploads three dropped files with a progress bar each, lists them with thumbnails, plays and seeks the video', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await page.getByTestId('dropzone').waitFor();
      await dropFiles(page, '[data-testid="dropzone"]', [
        asDrop('red.png', 'image/png', aPng(320, 200)),
        asDrop('blue.png', 'image/png', aPng(200, 320)),
        asDrop('clip.webm', 'video/webm', aWebm()),
      ]);
      for (const name of ['red.png', 'blue.png', 'clip.webm']) {
        const item = page.locator(`[data-upload="${name}"]`);
        await item.locator('progress').waitFor();
        await page.locator(`[data-upload="${name}"][data-status="done"]`).waitFor({ timeout: 30_000 });
        expect(await item.locator('.upload-percent').textContent()).toBe('100 %');
        expect(await item.locator('progress').getAttribute('value')).toBe('100');
      }
      for (const name of ['red.png', 'blue.png', 'clip.webm']) await page.locator(`li[data-file="${name}"]`).waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('li[data-file$=".png"] img.thumb')].filter((i: HTMLImageElement) => i.complete && i.naturalWidth > 0).length === 2, null, { timeout: 15_000 });
      await page.getByTestId('usage').waitFor();
      await screenshot(page, 'files');
      expect(await seriousViolations(page)).toEqual([]);

      await page.locator('li[data-file="clip.webm"] button').click();
      const video = page.locator('video.preview');
      await video.waitFor();
      await page.waitForFunction(() => (document.querySelector('video.preview') as HTMLVideoElement | null)?.readyState! >= 1, null, { timeout: 15_000 });
      const seeked = await video.evaluate(async (v: HTMLVideoElement) => {
        v.muted = true;
        await v.play();
        await new Promise((r) => setTimeout(r, 300));
        v.currentTime = 2.5;
        await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
        const at = v.currentTime;
        await new Promise((r) => setTimeout(r, 500));
        return { at, later: v.currentTime, duration: v.duration };
      });
      expect(seeked.duration).toBeGreaterThan(3);
      expect(seeked.at).toBeGreaterThanOrEqual(2.4);
      expect(seeked.later).toBeGreaterThan(seeked.at);
      await screenshot(page, 'file-details-video');
    } finally {
      await context.close();
    }
  });

  it('resumes an upload after the page is reloaded mid-way', async () => {
    const { context, page } = await newPage(world);
    try {
      // Each tus PATCH (5 MiB chunks) is held a moment, so the reload lands mid-upload.
      await page.route('**/api/v1/storage/tus/**', async (route) => {
        if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, 800));
        await route.continue();
      });
      await signInAsDevelopment(page, 'user');
      const big = asDrop('big.wav', 'audio/wav', aWav(700), 1_700_000_123_000);
      await dropFiles(page, '[data-testid="dropzone"]', [big]);
      await page.waitForFunction(() => Number(document.querySelector('[data-upload="big.wav"] progress')?.getAttribute('value')) >= 30, null, { timeout: 30_000 });
      await page.reload();
      await page.getByTestId('interrupted').filter({ hasText: 'big.wav' }).waitFor();
      await dropFiles(page, '[data-testid="dropzone"]', [big]);
      await page.locator('[data-upload="big.wav"][data-status="done"]').waitFor({ timeout: 60_000 }).catch(async (error) => {
        throw new Error(`${(error as Error).message}\nupload shows: ${await page.locator('[data-upload="big.wav"]').textContent()}`);
      });
      const resumedAt = Number(/resumed at (\d+)/.exec((await page.getByTestId('resumed').textContent()) ?? '')?.[1]);
      expect(resumedAt).toBeGreaterThan(0);
      await page.locator('li[data-file="big.wav"]').waitFor();
      await screenshot(page, 'upload-resumed');
    } finally {
      await context.close();
    }
  });

  it('trashes a file and restores it', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await dropFiles(page, '[data-testid="dropzone"]', [asDrop('to-trash.png', 'image/png', aPng(64, 64))]);
      await page.locator('li[data-file="to-trash.png"]').click();
      await page.getByRole('button', { name: 'Move to trash' }).click();
      await page.locator('li[data-file="to-trash.png"]').waitFor({ state: 'detached' });
      await page.getByRole('checkbox', { name: 'Trash' }).check();
      await page.locator('li[data-file="to-trash.png"]').click();
      await screenshot(page, 'trash');
      await page.getByRole('button', { name: 'Restore' }).click();
      await page.locator('li[data-file="to-trash.png"]').waitFor({ state: 'detached' });
      await page.getByRole('checkbox', { name: 'Trash' }).uncheck();
      await page.locator('li[data-file="to-trash.png"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('the audit page shows the refused admin call just made, and the chain verifies', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'admin');
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await page.getByLabel('Outcome').fill('FORBIDDEN');
      await page.getByLabel('Outcome').press('Enter');
      await page.getByLabel('Outcome').blur();
      await page.locator('table.audit tbody tr').first().waitFor({ timeout: 15_000 });
      expect(await page.locator('table.audit tbody tr td:nth-child(5)').allTextContents()).toContain('FORBIDDEN');
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await page.getByTestId('verification').filter({ hasText: 'Chain intact' }).waitFor();
      await screenshot(page, 'audit');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an API error with its message and a copyable request id', async () => {
    const { context, page } = await newPage(world, { width: 390, height: 800 });
    try {
      await page.goto('/console/');
      const payload = Buffer.from(JSON.stringify({ sub: '00000000-0000-4000-8000-0000000000ee', role: 'user', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      await page.getByLabel('Access token (JWT)').fill(`eyJhbGciOiJIUzI1NiJ9.${payload}.not-a-signature`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'UNAUTHORIZED' });
      await alert.waitFor();
      const requestId = (await alert.locator('.request-id code').textContent()) ?? '';
      expect(requestId).toMatch(/\S{6,}/);
      expect(await alert.locator('.error-message').textContent()).not.toBe('');
      await alert.getByRole('button', { name: 'Copy' }).click();
      await alert.getByRole('button', { name: 'Copied' }).waitFor();
      await screenshot(page, 'error-phone');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
