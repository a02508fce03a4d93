// A real PostgreSQL from Debian for server tests: a fresh cluster as the postgres user (initdb refuses
// root) in a temporary directory, on a free loopback port, with one database `gem`.
//
//   const pg = await startPostgres();   // null when Debian's postgresql is not installed
//   pg.url;                             // postgresql://postgres@127.0.0.1:PORT/gem
//   pg.psql('SELECT 1');                // the first column(s) of the result, trimmed
//   pg.stop();
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function postgresBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const version = readdirSync(base).sort().pop();
  return version ? join(base, version, 'bin') : null;
}

function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) return null;
  const asPostgres = (cmd, args) => execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'gem-pg-'));
  chmodSync(dir, 0o700);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const port = await freePort();
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o',
    `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off`, 'start']);
  asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), 'gem']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/gem`,
    port,
    psql: (sql) => execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'gem',
      '-At', '-c', sql], { encoding: 'utf8' }).trim(),
    stop() {
      try { asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
