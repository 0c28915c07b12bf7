// The benchmark's peer: @tus/server 2 with @tus/file-store on the disk of the service's objects, with
// the same token check as the service (an HS256 JWT verified with jose on every request). Plain Node,
// in a process of its own. Env: PORT, DIRECTORY, JWT_SECRET. Prints "listening" when ready.
import http from 'node:http';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { jwtVerify } from 'jose';

const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: process.env.DIRECTORY }) });

const server = http.createServer(async (req, res) => {
  if (req.method !== 'OPTIONS') {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      await jwtVerify(token, secret, { algorithms: ['HS256'] });
    } catch {
      res.writeHead(401, { 'Content-Type': 'application/json', 'Tus-Resumable': '1.0.0' });
      res.end('{"error":"unauthorized"}');
      return;
    }
  }
  tus.handle(req, res);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
