/** The broker room's events on the bus: connections and what the security log and packet guard saw. */
declare module '../kernel/bus.ts' {
  interface HubEvents {
    deviceConnected: { clientId: string; kind: 'device' | 'gateway'; address: string; transport: string };
    deviceDisconnected: { clientId: string; kind: 'device' | 'gateway' };
    securityEvent: { kind: string; clientId?: string; address?: string; detail: string };
    /** An authenticated client broke the protocol below the payload (a packet over the size cap, a bad length). */
    deviceMisbehaved: {
      clientId: string;
      kind: 'device' | 'gateway';
      code: 'too_large' | 'malformed_packet';
      at: number;
    };
  }
}
