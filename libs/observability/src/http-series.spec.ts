import { Counter, Histogram, Registry } from 'prom-client';

import { HttpSeries } from './http-series';

const BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests as the observer reports them: method, route template, status, seconds. */
const REQUESTS: [string, string, number, number][] = [
  ['GET', '/uas/oauth2/metadata.json', 200, 0.0004],
  ['GET', '/uas/oauth2/metadata.json', 200, 0.001], // on a bound: counted in it (le is ≤)
  ['GET', '/uas/oauth2/metadata.json', 304, 0.002],
  ['POST', '/uas/oauth2/token', 200, 0.3],
  ['POST', '/uas/oauth2/token', 400, 0.02],
  ['POST', '/uas/oauth2/token', 200, 12], // above every bound: only +Inf, _sum and _count
  ['PROPFIND', 'unmatched', 404, 0.0001],
  ['GET', '/uas/oauth2/metadata.json', 200, 0.07],
];

/** What prom-client's own Counter and Histogram write for the same requests. */
async function promClientExposition(): Promise<string> {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request arriving to the response being written, by method, route template and status.',
    labelNames,
    buckets: BOUNDS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of REQUESTS) {
    const labels = { method, route, status: String(status) };
    requests.inc(labels);
    durations.observe(labels, seconds);
  }
  return registry.metrics();
}

describe(HttpSeries.name, () => {
  it('writes exactly what prom-client writes for the same requests', async () => {
    const registry = new Registry();
    const series = new HttpSeries(registry, BOUNDS);
    for (const [method, route, status, seconds] of REQUESTS) {
      series.count(method, route, status, seconds);
    }
    const text = await registry.metrics();
    expect(text).toBe(await promClientExposition());
    expect(text).toContain(
      'http_requests_total{method="GET",route="/uas/oauth2/metadata.json",status="200"} 3',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.001",method="GET",route="/uas/oauth2/metadata.json",status="200"} 2',
    );
  });

  it('writes the names and types alone before the first request', async () => {
    const registry = new Registry();
    new HttpSeries(registry, BOUNDS);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).not.toMatch(/^http_/m);
  });
});
