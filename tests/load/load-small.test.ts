import { currentRun } from '../support/run-resources';
import { formatReport, runLoad } from './load-scenario';

/*
 * The small run of the load suite in `npm test` (issue 13): 50 clients for 15 s against the real
 * service, invariants only (no timing is asserted: the machine is shared). `npm run test:load` runs
 * the same scenario longer (tests/load/run-load.ts).
 */
const CLIENTS = 50;
const SECONDS = 15;
// Start (tsx, migrations), 15 s of load, then the backup, transforms and downloads to settle and check:
// about a minute here; the bound is for a machine at a load average of 10 or more (settling waits up to 5 min).
jest.setTimeout(480_000);

it(`${CLIENTS} clients × ${SECONDS} s of mixed work: nothing lost or duplicated, no orphan, no 5xx`, async () => {
  const run = currentRun();
  const report = await runLoad({ adminUrl: run.adminUrl, redisUrl: run.redisUrl, tag: run.runId, poolMax: 20 }, { clients: CLIENTS, seconds: SECONDS });
  process.stdout.write(`\n${formatReport(report)}\n`);
  expect(report.violations).toEqual([]);
  expect(report.figures.rows).toBe(report.figures.committed);
  expect(report.figures.redisCounter).toBe(report.figures.committed);
  expect(report.figures.committed).toBeGreaterThan(0);
  expect(report.figures.uploadsChecked).toBeGreaterThan(0);
  expect(report.backup.status).toBe('completed');
});
