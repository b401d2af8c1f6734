import { admin, discoveryDocument } from '../../../factories/admin.factory';
import { createTestDatabase } from '../../../setup/test-database';
import { startTestServer } from '../../../setup/test-server';

it('peek', async () => {
  const db = await createTestDatabase();
  const server = await startTestServer({ databaseUrl: db.url });
  const doc = await discoveryDocument(server);
  console.log(JSON.stringify(doc, null, 1));
  const r1 = await admin(server).post('/admin/v1/clients').send([{ redirect_uris: ['https://x.example/cb'] }]);
  console.log(JSON.stringify(r1.body));
  const r2 = await admin(server).post('/admin/v1/clients').send({ redirect_uris: 'x', client_name: 5, jwks: [] });
  console.log(JSON.stringify(r2.body));
  const r3 = await admin(server).post('/admin/v1/users').send({ username: ' bad', password: 5, email: 'nope', role: 'x' });
  console.log(JSON.stringify(r3.body));
  const r4 = await admin(server).post('/admin/v1/keys/rotate').set('Content-Type', 'application/json').send('null');
  console.log(r4.status, JSON.stringify(r4.body));
  const r5 = await admin(server).post('/admin/v1/keys/rotate').send({ activate_in_seconds: '5' });
  console.log(r5.status, JSON.stringify(r5.body));
  await server.close();
  await db.drop();
});
