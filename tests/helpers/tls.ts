import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requireTool } from './tools.ts';

/**
 * A self-signed certificate for 127.0.0.1 (its own CA), made with Debian's openssl, valid one day:
 * the hub's `mqttTlsCert`/`mqttTlsKey`, and what a client is given to trust it.
 */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const openssl = requireTool('openssl', 'openssl');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const args = ['req', '-x509', ...ecKey, '-keyout', key, '-out', cert, '-days', '1', ...subject];
  execFileSync(openssl, args, { stdio: 'ignore' });
  return { cert, key };
}
