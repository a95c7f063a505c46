import { pino } from 'pino';

export type Logger = pino.Logger;

/** Credentials and residents' personal data never reach the log. */
const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.name',
  '*.phone',
  '*.address',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
