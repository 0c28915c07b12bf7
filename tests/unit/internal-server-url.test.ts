import { loadConfig } from '../../src/infrastructure/config';
import { announcedUrl } from '../../src/infrastructure/internal-server';

const config = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.0.0' });

describe('the internal URL a process announces in the instance registry', () => {
  it('is its own loopback address and actual port by default', () => {
    expect(announcedUrl(config({}), 40123)).toBe('http://127.0.0.1:40123');
    expect(announcedUrl(config({ INTERNAL_HOST: '::1' }), 40123)).toBe('http://[::1]:40123');
  });

  it('is INTERNAL_ADVERTISE_URL, with the actual port added when the URL names none', () => {
    expect(announcedUrl(config({ INTERNAL_ADVERTISE_URL: 'http://10.0.0.5' }), 40123)).toBe('http://10.0.0.5:40123');
    expect(announcedUrl(config({ INTERNAL_ADVERTISE_URL: 'http://pod-1.svc:7001', INTERNAL_PORT: '7001' }), 7001)).toBe('http://pod-1.svc:7001');
  });
});
