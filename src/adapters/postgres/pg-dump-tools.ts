import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DumpToolStatus } from '../../application/ports/database-dumper.port';

const run = promisify(execFile);

export interface PgToolPaths {
  pgDump: string;
  pgRestore: string;
}

/** The Debian/Ubuntu package that ships the client of a major version. */
export function clientPackage(major: number | null): string {
  return `postgresql-client-${major ?? 15}`;
}

/** PG_BIN_DIR alone when set (so an operator picks the version), else the first match on PATH. */
export function locateTool(name: string, binDir: string | undefined, searchPath = process.env.PATH ?? ''): string | null {
  const dirs = binDir ? [binDir] : searchPath.split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" → 15. */
export function majorOf(versionText: string): number | null {
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(versionText);
  return match ? Number(match[1]) : null;
}

/**
 * Whether pg_dump and pg_restore can back up and restore a server of `serverMajor`: both present, and
 * pg_dump not older than the server (pg_dump refuses newer servers; a newer pg_dump reads older ones).
 */
export async function checkTools(binDir: string | undefined, serverMajor: number): Promise<{ status: DumpToolStatus; paths: PgToolPaths | null }> {
  const pkg = clientPackage(serverMajor);
  const pgDump = locateTool('pg_dump', binDir);
  const pgRestore = locateTool('pg_restore', binDir);
  const where = binDir ? `in PG_BIN_DIR (${binDir})` : 'on PATH';
  if (!pgDump || !pgRestore) {
    const missing = [!pgDump && 'pg_dump', !pgRestore && 'pg_restore'].filter(Boolean).join(' and ');
    return { status: { available: false, reason: `${missing} not found ${where}`, package: pkg, serverMajorVersion: serverMajor, foundVersion: null }, paths: null };
  }
  let version: string;
  try {
    version = (await run(pgDump, ['--version'], { timeout: 5_000, env: toolEnv() })).stdout.trim();
  } catch (error) {
    const reason = `${pgDump} --version failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    return { status: { available: false, reason, package: pkg, serverMajorVersion: serverMajor, foundVersion: null }, paths: null };
  }
  const major = majorOf(version);
  if (major === null || major < serverMajor) {
    const reason = `pg_dump ${where} is ${version || 'of an unknown version'}, older than the server (PostgreSQL ${serverMajor})`;
    return { status: { available: false, reason, package: pkg, serverMajorVersion: serverMajor, foundVersion: version }, paths: null };
  }
  return { status: { available: true, version, serverMajorVersion: serverMajor }, paths: { pgDump, pgRestore } };
}

/** What the tools need from the environment, and nothing of the service's own secrets. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...extra };
}
