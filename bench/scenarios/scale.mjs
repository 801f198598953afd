// Scale: the same three figures on a small and a large generated database — balance lookup p99
// (lineOverview by MSISDN), charging events/s (chargeUsage, one event per transaction, concurrent
// callers on random lines of the whole set), and the bench server's RSS after that work. The small
// case is the baseline. Generation uses raw bulk SQL and is not a figure (its time is in details).
import { generateLines, sampleLineIndexes } from '../lib/fixtures.mjs';
import { scenarioRow } from '../lib/report.mjs';
import { startServer } from '../lib/server-handle.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';
import { round, timed } from '../lib/timing.mjs';

export const names = ['scale-lookup-p99-ms', 'scale-charging', 'scale-rss-mb'];

const RATIO_MAX = 1.5;
const RSS_MB_MAX = 300;
const WARM_UP_LOOKUPS = 200;

async function measureAt(bench, { line_count, event_count }, label) {
  const { lookups, charges, concurrency } = bench.sizes.scale;
  const temp = await openTempDatabase(bench.target, { pool_size_max: concurrency, label: `scale_${label}` });
  try {
    let last_logged_ms = 0;
    const onProgress = (table, done, total) => {
      if (Date.now() - last_logged_ms < 5_000 && done < total) return;
      last_logged_ms = Date.now();
      bench.log(`  scale ${label}: ${table} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
    };
    const generation = await timed(() => generateLines(temp.database, { line_count, event_count, onProgress }));
    bench.log(`  scale ${label}: ${line_count.toLocaleString('en-US')} lines, ${event_count.toLocaleString('en-US')} events generated in ${generation.elapsed_s.toFixed(1)} s`);
    const server = await startServer(temp.where);
    try {
      await server.probe('lookup', { line_indexes: sampleLineIndexes(line_count, WARM_UP_LOOKUPS, bench.seed + 1) });
      const lookup = await server.probe('lookup', { line_indexes: sampleLineIndexes(line_count, lookups, bench.seed) });
      const charging = await server.probe('charging', { line_count, count: charges, concurrency, seed: bench.seed, prefix: `scale-${label}` });
      const { rss_bytes, max_rss_bytes } = await server.rss();
      return {
        line_count, event_count, generation_s: round(generation.elapsed_s, 1),
        lookup, charging, rss_mb: round(rss_bytes / 1_048_576, 1), max_rss_mb: round(max_rss_bytes / 1_048_576, 1),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await temp.dispose();
  }
}

export async function run(bench) {
  const { small, large } = bench.sizes.scale;
  const baseline = await measureAt(bench, small, 'small');
  const measured = await measureAt(bench, large, 'large');
  const sizes = {
    small: { lines: small.line_count, events: small.event_count },
    large: { lines: large.line_count, events: large.event_count },
  };
  const lookup_ratio = measured.lookup.p99_ms / baseline.lookup.p99_ms;
  const charging_ratio = measured.charging.per_second / baseline.charging.per_second;
  return [
    scenarioRow({
      name: 'scale-lookup-p99-ms', value: measured.lookup.p99_ms, unit: 'ms', baseline: baseline.lookup.p99_ms,
      target: `<= ${RATIO_MAX}x small`, met: lookup_ratio <= RATIO_MAX,
      details: {
        sizes, large: measured.lookup, small: baseline.lookup, generation_s: { small: baseline.generation_s, large: measured.generation_s },
      },
    }),
    scenarioRow({
      name: 'scale-charging', value: measured.charging.per_second, unit: 'events/s', baseline: baseline.charging.per_second,
      target: `>= small/${RATIO_MAX}`, met: charging_ratio >= 1 / RATIO_MAX,
      details: { sizes, large: measured.charging, small: baseline.charging },
    }),
    scenarioRow({
      name: 'scale-rss-mb', value: measured.max_rss_mb, unit: 'MB', baseline: baseline.max_rss_mb,
      target: `< ${RSS_MB_MAX} MB`, met: measured.max_rss_mb < RSS_MB_MAX,
      details: { sizes, rss_mb_after_work: { large: measured.rss_mb, small: baseline.rss_mb } },
    }),
  ];
}
