import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

/**
 * The operator console's built files (vite build into dist/console), served at /console. Hashed
 * assets are immutable; index.html (and any client-side route, which falls back to it) is revalidated
 * on every load so a new build is picked up at once. Without a build, /console says how to make one.
 */
export function consoleHandlers(folder: string): RequestHandler[] {
  const index = path.join(folder, 'index.html');
  const serveStatic = express.static(folder, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders(res, file) {
      const inAssets = path.relative(folder, file).startsWith(`assets${path.sep}`);
      res.setHeader('Cache-Control', inAssets ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  const fallback: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // A missing asset is a 404, not the page: only extension-less paths are client-side routes.
    if (path.extname(req.path) !== '') return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').setHeader('Cache-Control', 'no-store');
      res.send('The console is not built: run `npm run build` (or `npm run build:console`) and reload.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; object-src 'self'; frame-src 'self'");
    res.sendFile(index);
  };
  return [serveStatic, fallback];
}
