// Small statistics for benchmark runs: timings are noisy, so each run gives a median and p95, and
// repeated runs are summarised by the median of their medians and the spread (lowest–highest median).

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const median = (values) => quantile(values, 0.5);

// One run: a list of per-message times in ms.
export function summariseRun(times) {
  return { median_ms: median(times), p95_ms: quantile(times, 0.95), messages: times.length };
}

// Several runs of the same measurement.
export function summariseRuns(runs) {
  const medians = runs.map((r) => r.median_ms);
  return {
    median_ms: median(medians),
    p95_ms: median(runs.map((r) => r.p95_ms)),
    spread_ms: [Math.min(...medians), Math.max(...medians)],
    runs: runs.length,
    messages_per_run: runs[0]?.messages ?? 0,
  };
}

// Times `fn(item)` for each item after `warmup` untimed calls; resolves to a run summary.
export async function timeEach(items, fn, { warmup = 100 } = {}) {
  for (const item of items.slice(0, warmup)) await fn(item);
  const times = [];
  for (const item of items) {
    const start = performance.now();
    await fn(item);
    times.push(performance.now() - start);
  }
  return summariseRun(times);
}
