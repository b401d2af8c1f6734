import type { Metric, Registry } from 'prom-client';

type Labels = { readonly method: string; readonly route: string; readonly status: string };

/** One (method, route, status): its request count and its durations' histogram. */
interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Requests per bucket, not cumulative; the last counts those above every bound (`+Inf`). */
  readonly buckets: number[];
}

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels?: Labels;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * `http_requests_total` and `http_request_duration_seconds` (CONTRACT §5), counted per request
 * with one map lookup, and handed to prom-client's registry, which writes them out, at scrape
 * time. Why not prom-client's Counter and Histogram: each of their calls hashes and validates
 * the labels object anew, which was a twentieth of the CPU of a metadata request (README,
 * Performance). The exposition is the same: the same names, label order, cumulative buckets,
 * `_sum` and `_count`.
 */
export class HttpSeries {
  private readonly series = new Map<string, Series>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    const requests = {
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      type: 'counter',
      get: () => Promise.resolve({ ...requests, values: this.requestSamples() }),
    };
    const durations = {
      name: 'http_request_duration_seconds',
      help: 'Time from the request arriving to the response being written, by method, route template and status.',
      type: 'histogram',
      get: () => Promise.resolve({ ...durations, values: this.durationSamples(durations.name) }),
    };
    // The registry reads `name`, `help`, `type` and `get()` of what it holds (prom-client's
    // registry.js); its type names only prom-client's own metric classes.
    registry.registerMetric(requests as unknown as Metric);
    registry.registerMetric(durations as unknown as Metric);
  }

  /** One request answered. A method is an HTTP token (RFC 9110 §9.1): it holds no space. */
  count(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
      };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]) bucket += 1;
    series.buckets[bucket] += 1;
  }

  private requestSamples(): Sample[] {
    return [...this.series.values()].map((s) => ({ labels: s.labels, value: s.count }));
  }

  /** As prom-client's Histogram writes one: `le` first, then the series' labels. */
  private durationSamples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i];
        samples.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: `${name}_bucket`,
        });
      });
      samples.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: `${name}_bucket`,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` },
      );
    }
    return samples;
  }
}
