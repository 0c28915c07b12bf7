// Preloaded into the service by BENCH_CPU_PROF_DIR (NODE_OPTIONS refuses --cpu-prof): a V8 CPU profile of
// the whole run, written to <dir>/service-<pid>.cpuprofile when the process exits (open it in Chrome DevTools).
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // A same-thread session answers synchronously.
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `service-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
