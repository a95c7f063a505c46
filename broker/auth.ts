/**
 * CONNECT policy (device-protocol.md "Identity"), as aedes `preConnect` and `authenticate` hooks.
 *
 * preConnect runs before aedes looks at the packet: it counts the connect against its source address
 * and notes what authenticate needs. It never refuses itself (aedes would close without a CONNACK);
 * authenticate answers every refusal with its CONNACK return code.
 */
import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { MqttIdentity } from '../kernel/registry/types.ts';
import type { KeyedTokenBucket } from '../kernel/token-bucket.ts';
import type { AddressFailures } from './address-failures.ts';
import type { BrokerMetrics } from './broker-metrics.ts';
import type { ClientTable, ConnectAttempt } from './clients.ts';
import type { SecurityEventKind, SecurityLog } from './security-log.ts';
import type { VerifiedSecrets } from './verified-secrets.ts';
import type { WillPolicy } from './will-policy.ts';

/**
 * Longest keepalive the broker honours, in seconds. MQTT 3.1.1 cannot tell a client to use a shorter
 * one, and aedes' own keepaliveLimit answers CONNACK 6, which 3.1.1 does not define; so a keepalive of
 * 0 (none) or above this is served as this: a silent connection is dropped after 1.5 × 3600 s = 90 min,
 * longer than the slowest heartbeat the protocol requires (60 min), so a conforming device stays.
 */
export const MAX_KEEPALIVE_S = 3600;

/** Why a CONNECT was refused: the label of hub_mqtt_connects_refused_total and its CONNACK answer. */
const REFUSALS = {
  rate_limited_address: {
    code: 3,
    kind: 'connect_rate_limited',
    detail: 'too many connects from this address',
  },
  empty_client_id: { code: 2, kind: 'empty_client_id', detail: 'zero-length clientId with CleanSession=0' },
  client_id_mismatch: { code: 4, kind: 'client_id_mismatch', detail: 'clientId differs from username' },
  unknown_client: { code: 4, kind: 'unknown_client', detail: 'no device or gateway with this id' },
  bad_credentials: { code: 4, kind: 'bad_credentials', detail: 'wrong or missing secret' },
  disabled: { code: 5, kind: 'disabled_client', detail: 'device or gateway is disabled' },
  rate_limited_client: { code: 3, kind: 'client_flapping', detail: 'too many connects of this client id' },
} as const satisfies Record<string, { code: 2 | 3 | 4 | 5; kind: SecurityEventKind; detail: string }>;

export type ConnectRefusal = keyof typeof REFUSALS | 'server_error';

export interface AuthDeps {
  registry: Registry;
  clients: ClientTable;
  secrets: VerifiedSecrets;
  /** failed connects per source address (CONNACK 3 past the budget) */
  perAddress: AddressFailures;
  /** authenticated connects per client id (a flapping device: CONNACK 3) */
  perClient: KeyedTokenBucket;
  security: SecurityLog;
  metrics: BrokerMetrics;
  log: Logger;
  wills: WillPolicy;
}

type AuthDone = (error: AuthenticateError | null, success: boolean | null) => void;

const refusalError = (message: string, returnCode: number) =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

export function createAuthHooks(deps: AuthDeps) {
  const { registry, clients, secrets, perAddress, perClient, security, metrics, log, wills } = deps;

  /** The client's type: its device's (button, motion …), or `gateway`. */
  const typeOf = async (identity: MqttIdentity): Promise<string> =>
    identity.kind === 'gateway' ? 'gateway' : ((await registry.devices.get(identity.id))?.type ?? 'unknown');
  /** Who is verified first when connects queue for scrypt: the lifeline, then alarms, then the rest. */
  const priorityOf = (type: string): number =>
    type === 'button' || type === 'wristband' ? 0 : type === 'leak' || type === 'gateway' ? 1 : 2;

  function preConnect(
    client: Client,
    packet: ConnectPacket,
    callback: (error: Error | null, ok: boolean) => void,
  ) {
    const { address } = clients.connection(client);
    let refusal: ConnectAttempt['refusal'] = null;
    if (!perAddress.allows(address, packet.clientId ?? '')) refusal = 'rate_limited_address';
    // [MQTT-3.1.3-8]: a zero-length ClientId with CleanSession=0 gets CONNACK 2.
    else if (!packet.clientId && !packet.clean) refusal = 'empty_client_id';
    if (!packet.keepalive || packet.keepalive > MAX_KEEPALIVE_S) packet.keepalive = MAX_KEEPALIVE_S;
    clients.setAttempt(client, {
      clientId: packet.clientId ?? '',
      refusal,
      willTopic: packet.will?.topic ?? null,
    });
    callback(null, true);
  }

  /** Refusals that spend the address's budget: attempts that did not prove they hold a secret. */
  const GUESSES: ReadonlySet<ConnectRefusal> = new Set([
    'empty_client_id',
    'client_id_mismatch',
    'unknown_client',
    'bad_credentials',
  ]);

  function refuse(client: Client, clientId: string, reason: keyof typeof REFUSALS, done: AuthDone) {
    const { code, kind, detail } = REFUSALS[reason];
    metrics.connectsRefused.inc({ reason });
    if (GUESSES.has(reason)) perAddress.failed(clients.connection(client).address);
    security.record({
      kind,
      clientId: clientId || undefined,
      address: clients.connection(client).address,
      detail,
    });
    done(refusalError(detail, code), false);
  }

  async function decide(
    client: Client,
    attempt: ConnectAttempt,
    username: string | undefined,
    password: Buffer | undefined,
  ) {
    if (attempt.refusal) return { refusal: attempt.refusal };
    if (!username) return { refusal: 'bad_credentials' as const };
    if (attempt.clientId !== username) return { refusal: 'client_id_mismatch' as const };
    const identity: MqttIdentity | null = await registry.devices.identity(attempt.clientId);
    if (!identity) return { refusal: 'unknown_client' as const };
    if (!password || password.length === 0) return { refusal: 'bad_credentials' as const };
    const deviceType = await typeOf(identity);
    const verified = await secrets.verify(identity, password, priorityOf(deviceType));
    metrics.secretVerifications.inc({ scheme: verified.scheme, result: verified.ok ? 'ok' : 'wrong' });
    if (!verified.ok) return { refusal: 'bad_credentials' as const };
    // Checked after the secret, so only a holder of the secret learns that the id is disabled.
    if (!identity.enabled) return { refusal: 'disabled' as const };
    // A will outside its own topics is dropped, not refused (a default Mosquitto bridge sets one).
    wills.admit(client, identity, attempt.willTopic);
    // Counted only once authenticated, so nobody without the secret can throttle a device by its id.
    if (!perClient.take(identity.id)) return { refusal: 'rate_limited_client' as const };
    const { address, transport } = clients.connection(client);
    perAddress.succeeded(address, identity.id);
    clients.authenticated(client, {
      id: identity.id,
      kind: identity.kind,
      householdId: identity.householdId,
      // the stored hash and, after an upgrade, its fast replacement: both stand for this secret
      secretHashes: [...new Set([identity.secretHash, verified.secretHash])],
      address,
      transport,
      deviceType,
    });
    return { refusal: null };
  }

  function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: AuthDone,
  ) {
    const attempt = clients.attempt(client) ?? { clientId: client.id, refusal: null, willTopic: null };
    decide(client, attempt, username, password).then(
      ({ refusal }) => {
        if (refusal) refuse(client, attempt.clientId, refusal, done);
        else done(null, true);
      },
      (err: unknown) => {
        log.error({ err, clientId: attempt.clientId }, 'authentication failed with an error');
        metrics.connectsRefused.inc({ reason: 'server_error' });
        done(refusalError('Server unavailable', 3), false);
      },
    );
  }

  return { preConnect, authenticate };
}
