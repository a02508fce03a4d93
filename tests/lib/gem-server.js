// Starts the real gem-server binary for a test: loopback, a free port, a temporary data directory,
// the demo configuration (server/config/gem-server.json) with optional overrides.
//
//   const server = await startGemServer({ config: { limits: { rate_burst: 5 } }, env: { GEM_REDIS_URL: … } });
//   await fetch(`${server.url}/v1/live/GM0599/opening-hours`);
//   server.logs();            // stdout + stderr so far (the access log)
//   await server.stop();      // SIGTERM, waits for the exit; resolves to the exit code
//
// The binary: env GEM_SERVER_BIN, default build/native/server/gem-server.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_CONFIG = join(ROOT, 'server/config/gem-server.json');
// A live-data seed's `weekly_hours` for a desk open around the clock (days 1–7), so that a handover is possible
// whenever a test or benchmark runs. Until 24:00, not 23:59: the server reads "until 23:59" as closed in that minute.
export const OPEN_ALL_WEEK = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((day) => [String(day), [['00:00', '24:00']]]));

function merge(base, override) {
  if (override === null || typeof override !== 'object' || Array.isArray(override)) return override;
  const out = { ...(base && typeof base === 'object' && !Array.isArray(base) ? base : {}) };
  for (const [key, value] of Object.entries(override)) out[key] = merge(out[key], value);
  return out;
}

export function serverBinary() {
  return process.env.GEM_SERVER_BIN ?? join(ROOT, 'build/native/server/gem-server');
}

// options: config (deep-merged over the demo config; arrays replace), env (extra variables),
// dataDir (reuse a directory, e.g. to restart on the same data; not removed by stop), timeoutMs,
// fileLimit (run under `ulimit -n fileLimit`; the process is still the server itself).
export async function startGemServer({ config = {}, env = {}, dataDir, timeoutMs = 15000, fileLimit } = {}) {
  const binary = serverBinary();
  if (!existsSync(binary)) throw new Error(`gem-server not built: ${binary} (cmake --build build/native --target gem-server)`);
  const work = mkdtempSync(join(tmpdir(), 'gem-server-'));
  const data = dataDir ?? join(work, 'data');
  const merged = merge(JSON.parse(readFileSync(DEMO_CONFIG, 'utf8')), { ...config, root: ROOT });
  const configFile = join(work, 'gem-server.json');
  writeFileSync(configFile, JSON.stringify(merged, null, 2));

  const [command, args] = fileLimit
    ? ['sh', ['-c', `ulimit -n ${Number(fileLimit)} && exec "$0" "$@"`, binary, '--config', configFile]]
    : [binary, ['--config', configFile]];
  const child = spawn(command, args, {
    env: { ...process.env, GEM_PORT: '0', GEM_BIND: '127.0.0.1', GEM_DATA_DIR: data, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(code ?? signal)));
  const url = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`gem-server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /gem-server listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`gem-server exited (${code}) before it was ready:\n${output}`));
    });
  });

  let stopped;
  return {
    url,
    port: Number(new URL(url).port),
    dataDir: data,
    configFile,
    process: child,
    logs: () => output,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const code = await exited;
        rmSync(work, { recursive: true, force: true });
        return code;
      })();
      return stopped;
    },
  };
}
