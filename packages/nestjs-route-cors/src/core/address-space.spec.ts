import { addressSpaceOf, localNetworkAccessNeeded } from './address-space.js';

describe('addressSpaceOf', () => {
  it.each([
    ['localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'local'],
    ['172.16.0.1', 'local'],
    ['172.31.255.255', 'local'],
    ['192.168.1.10', 'local'],
    ['169.254.1.1', 'local'],
    ['printer.local', 'local'],
    ['[fd12:3456::1]', 'local'],
    ['[fe80::1]', 'local'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['[2001:db8::1]', 'public'],
    ['api.example.com', undefined],
  ])('puts %s in %s', (host, space) => {
    expect(addressSpaceOf(host)).toBe(space);
  });
});

describe('localNetworkAccessNeeded', () => {
  it.each<[string, string, string | undefined]>([
    ['https://app.example.com', 'localhost', 'loopback'],
    ['https://app.example.com', '127.0.0.1:5000', 'loopback'],
    ['https://app.example.com', '192.168.1.10', 'local'],
    ['http://192.168.1.20:8080', 'localhost:5000', 'loopback'],
    ['http://localhost:1234', 'localhost:5000', undefined],
    ['http://192.168.1.20', '10.0.0.1', undefined],
    ['https://app.example.com', 'api.example.com', undefined],
    ['null', 'localhost', undefined],
  ])('a page on %s reaching %s needs permission for: %s', (origin, host, space) => {
    expect(localNetworkAccessNeeded(origin, host)).toBe(space);
  });
});
