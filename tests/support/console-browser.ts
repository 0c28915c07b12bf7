import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findProjectRoot } from '../../src/infrastructure/paths';
import { storageApp } from './storage-world';

// The dropFiles callback runs in the browser (the project compiles without the DOM library).
declare const DataTransfer: any;
declare const File: any;

const root = findProjectRoot(__dirname);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(root, 'test-results', 'console');

function newestUnder(folder: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function upToDate(index: string): boolean {
  return fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestUnder(path.join(root, 'console'));
}

/**
 * Builds the console (vite) when dist/console is missing or older than its sources: about 10 s. Test
 * files in other Jest workers may ask at the same time: one builds (holding a lock file), the others wait.
 */
export function ensureConsoleBuilt(): void {
  const index = path.join(root, 'dist', 'console', 'index.html');
  if (upToDate(index)) return;
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  const lock = path.join(root, 'dist', '.console-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch {
      // A lock left by a killed run is stale after three minutes.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) fs.rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (upToDate(index)) return;
    execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe' });
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export interface ConsoleWorld {
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The whole service (this run's PostgreSQL and Redis, a disk store of its own) on a free port, and a headless Chromium. */
export async function startConsoleWorld(env: Record<string, string> = {}): Promise<ConsoleWorld> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  ensureConsoleBuilt();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const t = await storageApp(env);
  const server: Server = await new Promise((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'] });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    close: async () => {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await t.cleanup();
    },
  };
}

export async function newPage(world: ConsoleWorld, viewport = { width: 1280, height: 860 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await world.browser.newContext({ viewport, baseURL: world.baseUrl });
  const page = await context.newPage();
  return { context, page };
}

export async function signInAsDevelopment(page: Page, role: 'admin' | 'user'): Promise<void> {
  await page.goto('/console/');
  await page.getByRole('button', { name: `Sign in as development ${role}` }).click();
  await page.locator('.top .role').filter({ hasText: role }).waitFor();
}

/** Writes the page's screenshot to test-results/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page as it stands. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Drops files on the element as a person dragging them from a file manager would. */
export async function dropFiles(page: Page, selector: string, files: Array<{ name: string; type: string; base64: string; lastModified?: number }>): Promise<void> {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type, lastModified: f.lastModified ?? 1_700_000_000_000 }));
    }
    return dt;
  }, files);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}
