// `npm run test:busy`: the whole suite (`npm test`) while a child process keeps one CPU core busy,
// as a loaded CI machine or laptop would. A test whose outcome depends on how fast the machine
// is fails here; run it before calling a change done.
import { spawn, spawnSync } from 'node:child_process';

const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const stop = () => burner.kill('SIGKILL');
process.on('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
process.stdout.write(`test:busy: one core kept busy by pid ${burner.pid}\n`);
const result = spawnSync(process.execPath, ['scripts/test.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
stop();
process.exit(result.status ?? 1);
