import { aPng } from '../support/media-fixtures';
import { dropFiles, newPage, screenshot, seriousViolations, signInAsDevelopment, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';

jest.setTimeout(90_000);

/**
 * Cancelling from the Transformations page. No transformation worker runs here (TRANSFORM_CONCURRENCY=0),
 * so the job stays queued until the person cancels it: the scenario does not race a worker.
 */
describe('the operator console: cancelling a transformation in Chromium', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsoleWorld({ TRANSFORM_CONCURRENCY: '0' });
  });
  afterAll(() => world?.close());

  it('cancels a queued job: it shows cancelled, stays so after a reload, and the list finds it by status', async () => {
    const { context, page } = await newPage(world);
    try {
      await signInAsDevelopment(page, 'user');
      await dropFiles(page, '[data-testid="dropzone"]', [{ name: 'to-cancel.png', type: 'image/png', base64: aPng(64, 48).toString('base64') }]);
      await page.locator('[data-upload="to-cancel.png"][data-status="done"]').waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Transformations' }).click();
      await page.getByRole('heading', { name: 'Transformations', exact: true }).waitFor();
      await page.getByText('No transformations yet.').waitFor();
      const fileSelect = page.locator('select[name="source_file_id"]');
      await fileSelect.locator('option', { hasText: 'to-cancel.png' }).waitFor({ state: 'attached' });
      await page.locator('select[name="transformation_type"]').selectOption('format_conversion');
      await page.getByRole('button', { name: 'Start' }).click();

      const job = page.locator('li.job[data-job="format_conversion"]');
      await job.filter({ has: page.locator('[data-testid="job-status"]', { hasText: 'queued' }) }).waitFor();
      expect(await job.getByTestId('job-source').textContent()).toBe('of to-cancel.png');
      expect(await job.getByTestId('job-percent').textContent()).toBe('0 %');
      await job.getByRole('button', { name: 'Cancel' }).click();

      await page.locator('li.job[data-job="format_conversion"][data-status="cancelled"]').waitFor({ timeout: 15_000 });
      expect(await job.getByTestId('job-status').textContent()).toBe('cancelled');
      expect(await job.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
      await screenshot(page, 'transformations-cancelled');
      expect(await seriousViolations(page)).toEqual([]);

      // The list comes from the API, not from this tab: a reload shows the job cancelled still.
      await page.reload();
      await page.getByRole('heading', { name: 'Transformations', exact: true }).waitFor();
      await page.locator('li.job[data-job="format_conversion"][data-status="cancelled"]').waitFor();
      await page.locator('select[name="status"]').selectOption('queued');
      await page.getByText('No transformations queued yet.').waitFor();
      await page.locator('select[name="status"]').selectOption('cancelled');
      await page.getByTestId('job-count').filter({ hasText: '1 transformation' }).waitFor();
      expect(await page.locator('li.job').count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
