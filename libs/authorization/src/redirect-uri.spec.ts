import { isRegisteredRedirectUri } from './redirect-uri';

describe(isRegisteredRedirectUri.name, () => {
  const registered = [
    'https://app.example.com/cb',
    'http://127.0.0.1/native',
    'http://[::1]:8080/cb?x=1',
    'http://localhost/cb',
  ];

  it.each([
    'https://app.example.com/cb',
    'http://127.0.0.1/native',
    'http://127.0.0.1:49152/native',
    'http://[::1]/cb?x=1',
    'http://[::1]:1/cb?x=1',
    'http://localhost:3000/cb',
  ])('accepts %s', (uri) => {
    expect(isRegisteredRedirectUri(uri, registered)).toBe(true);
  });

  it.each([
    'https://app.example.com/cb/',
    'https://app.example.com:443/cb',
    'https://app.example.com/cb?x=1',
    'http://127.0.0.1:49152/native/',
    'http://127.0.0.1:49152/other',
    'http://127.0.0.1:49152@evil.example.com/native',
    'http://127.0.0.1.evil.example.com/native',
    'http://127.0.0.2:49152/native',
    'https://127.0.0.1:49152/native',
    'http://[::1]:1/cb?x=2',
    'http://localhost:3000/cb#x',
    'http://127.0.0.1:999999/native',
  ])('refuses %s', (uri) => {
    expect(isRegisteredRedirectUri(uri, registered)).toBe(false);
  });
});
