// Number and table formatting for BENCHMARKS.md.
export const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
export const ms = (x) => (x == null ? 'n/a' : x === 0 ? '0 ms' : `${x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : Math.round(x)} ms`);
export const kb = (n) => (n == null ? 'n/a' : `${(n / 1024).toFixed(1)} KB`);
export const mb = (n) => (n == null ? 'n/a' : `${(n / 2 ** 20).toFixed(1)} MB`);
export const ratio = (x, base) => (x == null || !base ? 'n/a' : `${(x / base).toFixed(2)}×`);
export const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
