import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labEnvironment } from '../../src/lab/processes.js';

test("lab environment: the run's processes start without NODE_EXTRA_CA_CERTS and with the public DHT off", () => {
  const mine = { PATH: '/usr/bin', HOME: '/root', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', TANDEM_CODE_CACHE_DIR: '/tmp/c' };
  const env = labEnvironment(mine);
  assert.equal('NODE_EXTRA_CA_CERTS' in env, false, 'Node would parse every certificate of it at each start');
  assert.equal(env.TANDEM_NO_PUBLIC_DHT, '1');
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.TANDEM_CODE_CACHE_DIR, '/tmp/c', 'the rest is passed on');
  assert.equal(mine.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt', "the lab's own environment is left as it was");
});
