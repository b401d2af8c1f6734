import request from 'supertest';

import { histogramsOf, parsePrometheus, samplesOf } from '../../setup/prometheus';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../../setup/test-server';

const METRICS_TOKEN = 'metrics-token-for-the-scraper-0123456789';
const PASSWORD = 'correct horse battery';

describe('GET /metrics (CONTRACT §5)', () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let open: TestServer;
  let guarded: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    open = await startTestServer({ databaseUrl: db.url, masterKey });
    guarded = await startTestServer({ databaseUrl: db.url, masterKey, env: { METRICS_TOKEN } });
  });

  afterAll(async () => {
    await open?.close();
    await guarded?.close();
    await db?.drop();
  });

  describe('without METRICS_TOKEN', () => {
    let clientId: string;
    let text: string;
    let contentType: string;

    beforeAll(async () => {
      const service = await adminCreateClient(open, { grant_types: ['client_credentials'] });
      const app = await adminCreateClient(open, { grant_types: ['password', 'refresh_token'] });
      await adminCreateUser(open, { username: 'alice', password: PASSWORD });
      clientId = app.client_id;
      const appAuth = basic(app.client_id, app.client_secret!);
      const token = (params: Record<string, string>, auth: string) =>
        postForm(open, '/oauth2/token', params, auth);

      expect(
        (
          await token(
            { grant_type: 'client_credentials' },
            basic(service.client_id, service.client_secret!),
          )
        ).status,
      ).toBe(200);
      const signedIn = await token(
        { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'openid' },
        appAuth,
      );
      expect(signedIn.status).toBe(200);
      expect(
        (
          await token(
            { grant_type: 'password', username: 'alice', password: 'wrong password' },
            appAuth,
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await token(
            { grant_type: 'refresh_token', refresh_token: signedIn.body.refresh_token },
            appAuth,
          )
        ).status,
      ).toBe(200);
      expect((await admin(open).get(`/admin/v1/clients/${clientId}`)).status).toBe(200);
      expect((await request(open.http).get(`/no/such/path/${clientId}?token=x`)).status).toBe(404);
      // Over the 64 KiB body limit: refused by the framework's body parser.
      const oversized = await postForm(
        open,
        '/oauth2/token',
        { grant_type: 'client_credentials', padding: 'a'.repeat(70_000) },
        appAuth,
      );
      expect(oversized.status).toBe(413);

      const scrape = await request(open.http).get('/metrics');
      expect(scrape.status).toBe(200);
      text = scrape.text;
      contentType = scrape.headers['content-type'];
    });

    it('answers the Prometheus text format, which a Prometheus parser reads', () => {
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/i);
      expect(parsePrometheus(text).size).toBeGreaterThan(10);
    });

    it('counts requests by method, route template and status', () => {
      const requests = samplesOf(parsePrometheus(text), 'http_requests_total');

      expect(requests).toEqual(
        expect.arrayContaining([
          {
            name: 'http_requests_total',
            labels: { method: 'POST', route: '/uas/oauth2/token', status: '200' },
            value: 3,
          },
          {
            name: 'http_requests_total',
            labels: { method: 'POST', route: '/uas/oauth2/token', status: '400' },
            value: 1,
          },
          {
            name: 'http_requests_total',
            labels: { method: 'POST', route: '/admin/v1/clients', status: '201' },
            value: 2,
          },
          {
            name: 'http_requests_total',
            labels: { method: 'GET', route: '/admin/v1/clients/:client_id', status: '200' },
            value: 1,
          },
          {
            name: 'http_requests_total',
            labels: { method: 'GET', route: 'unmatched', status: '404' },
            value: 1,
          },
          {
            name: 'http_requests_total',
            // Express parses bodies before it routes; Fastify routes first (README, Operating).
            labels: {
              method: 'POST',
              route: process.env.HTTP_ADAPTER === 'express' ? 'unmatched' : '/uas/oauth2/token',
              status: '413',
            },
            value: 1,
          },
        ]),
      );
    });

    it('labels routes by template only, never by a raw path (bounded cardinality)', () => {
      const routes = samplesOf(parsePrometheus(text), 'http_requests_total').map(
        (s) => s.labels.route,
      );

      expect(
        routes.filter(
          (route) => route.includes(clientId) || route.includes('?') || route.includes('/no/such'),
        ),
      ).toEqual([]);
    });

    it('has a request-duration histogram with the same labels', () => {
      const durations = histogramsOf(parsePrometheus(text), 'http_request_duration_seconds');

      const token = durations.find(
        (h) => h.labels.route === '/uas/oauth2/token' && h.labels.status === '200',
      );
      expect(token).toEqual({
        labels: { method: 'POST', route: '/uas/oauth2/token', status: '200' },
        buckets: expect.any(Map),
        count: 3,
        sum: expect.any(Number),
      });
      expect(token!.buckets.get(Infinity)).toBe(3);
      expect(token!.buckets.size).toBeGreaterThan(5);
      expect(token!.sum).toBeGreaterThan(0);
    });

    it('counts issued token responses by grant_type', () => {
      const issued = samplesOf(parsePrometheus(text), 'uas_tokens_issued_total');

      expect(issued).toEqual(
        expect.arrayContaining([
          {
            name: 'uas_tokens_issued_total',
            labels: { grant_type: 'client_credentials' },
            value: 1,
          },
          { name: 'uas_tokens_issued_total', labels: { grant_type: 'password' }, value: 1 },
          { name: 'uas_tokens_issued_total', labels: { grant_type: 'refresh_token' }, value: 1 },
        ]),
      );
      expect(issued).toHaveLength(3);
    });

    it('counts password sign-ins by outcome', () => {
      const signIns = samplesOf(parsePrometheus(text), 'uas_signins_total');

      expect(signIns).toEqual(
        expect.arrayContaining([
          { name: 'uas_signins_total', labels: { outcome: 'success' }, value: 1 },
          { name: 'uas_signins_total', labels: { outcome: 'failure' }, value: 1 },
        ]),
      );
      expect(signIns).toHaveLength(2);
    });

    it('reports the database pool', () => {
      const metrics = parsePrometheus(text);
      const [total] = samplesOf(metrics, 'uas_db_pool_connections');
      const [idle] = samplesOf(metrics, 'uas_db_pool_idle_connections');
      const [waiting] = samplesOf(metrics, 'uas_db_pool_waiting_requests');

      expect(metrics.get('uas_db_pool_connections')?.type).toBe('gauge');
      expect(idle.value).toBeGreaterThanOrEqual(0);
      expect(total.value).toBeGreaterThanOrEqual(idle.value);
      expect(waiting.value).toBe(0);
    });

    it('includes the process defaults', () => {
      const metrics = parsePrometheus(text);

      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(samplesOf(metrics, name)[0].value).toBeGreaterThanOrEqual(0);
      }
    });

    it('keeps counts per instance: the other server on the database saw none of these requests', async () => {
      const other = await request(guarded.http)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`);
      const requests = samplesOf(parsePrometheus(other.text), 'http_requests_total');

      expect(requests.filter((s) => s.labels.route === '/uas/oauth2/token')).toEqual([]);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const invalidToken = { error: 'invalid_token', error_description: expect.any(String) };

    it('refuses a scrape without the token: 401 with a Bearer challenge', async () => {
      const res = await request(guarded.http).get('/metrics');

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toEqual(invalidToken);
    });

    it('refuses a wrong token, a prefix of the token and another scheme', async () => {
      for (const authorization of [
        'Bearer wrong-token',
        `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
        `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`,
      ]) {
        const res = await request(guarded.http).get('/metrics').set('Authorization', authorization);

        expect(res.status).toBe(401);
        expect(res.body).toEqual(invalidToken);
      }
    });

    it('answers the series to the right bearer token', async () => {
      const res = await request(guarded.http)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`);

      expect(res.status).toBe(200);
      expect(samplesOf(parsePrometheus(res.text), 'uas_signins_total')).toHaveLength(2);
    });
  });

  describe('the test parser', () => {
    const valid =
      '# HELP x_total A counter.\n# TYPE x_total counter\nx_total{a="q\\"b"} 3\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n# TYPE g gauge\ng NaN\n';

    it('reads a well-formed exposition, escapes and NaN included', () => {
      const families = parsePrometheus(valid);

      expect(samplesOf(families, 'x_total')).toEqual([
        { name: 'x_total', labels: { a: 'q"b' }, value: 3 },
      ]);
      expect(histogramsOf(families, 'h')[0].count).toBe(2);
      expect(samplesOf(families, 'g')[0].value).toBeNaN();
    });

    it.each([
      ['a sample with no TYPE before it', 'y 1\n'],
      ['a malformed label', '# TYPE y gauge\ny{a=b} 1\n'],
      ['a non-numeric value', '# TYPE y gauge\ny one\n'],
      [
        'a histogram whose +Inf bucket is not its count',
        '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
      ],
      ['a family declared twice', '# TYPE y gauge\ny 1\n# TYPE y gauge\n'],
      ['a missing final line feed', '# TYPE y gauge\ny 1'],
    ])('refuses %s', (_why, text) => {
      expect(() => parsePrometheus(text)).toThrow();
    });
  });
});
