/**
 * The body of one hash thread (see WorkerThreadContentHasher): it keeps a hash per run and, for each
 * slot handed over, hashes those bytes of the run's shared ring and says the slot is free again.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { HashReply, HashRequest, HashThreadData } from './hash-thread-messages';

const port = parentPort;
if (!port) throw new Error('content-hash-worker runs only as a worker thread');
const { algorithm } = workerData as HashThreadData;
const runs = new Map<number, { hash: Hash; bytes: Uint8Array }>();
const reply = (message: HashReply) => port.postMessage(message);

port.on('message', (message: HashRequest) => {
  switch (message.op) {
    case 'update': {
      const run = runs.get(message.id);
      run?.hash.update(run.bytes.subarray(message.offset, message.offset + message.length));
      // Answered even for an unknown run, so the sender's slot is never left counted as being read.
      reply({ id: message.id, op: 'done', offset: message.offset });
      return;
    }
    case 'open':
      runs.set(message.id, { hash: createHash(algorithm), bytes: new Uint8Array(message.ring) });
      return;
    case 'digest': {
      const run = runs.get(message.id);
      runs.delete(message.id);
      reply({ id: message.id, op: 'digest', hex: run ? run.hash.digest('hex') : null });
      return;
    }
    case 'abort':
      runs.delete(message.id);
      return;
  }
});
