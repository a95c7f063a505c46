import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type Logger = pino.Logger;

/** How log lines are written: one JSON object a line (for machines), or readable text (for people). */
export type LogFormat = 'json' | 'pretty';
/** The `logFormat` setting: `auto` is pretty on a terminal, JSON anywhere else (a pipe, a file, journald). */
export type LogFormatSetting = LogFormat | 'auto';

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

/** The format `setting` gives on a stream that is (`isTTY`) or is not a terminal. */
export function logFormatFor(setting: LogFormatSetting, isTTY: boolean | undefined): LogFormat {
  if (setting === 'auto') return isTTY === true ? 'pretty' : 'json';
  return setting;
}

/** JSON lines to `destination` (stdout when none): the form every test and log collector reads. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

/**
 * The logger of a program a person may be watching (`npm start` on stdout, `npm run hub` on stderr):
 * pino-pretty's lines when `setting` says so (`auto`: when `stream` is a terminal), else JSON lines.
 * Pretty lines are made from pino's JSON line after redaction, so they redact the same fields.
 */
export function createConsoleLogger(
  level: string,
  setting: LogFormatSetting,
  stream: NodeJS.WriteStream = process.stdout,
): Logger {
  if (logFormatFor(setting, stream.isTTY) === 'json') return createLogger(level, stream);
  const prettify = prettyFactory({
    colorize: stream.isTTY === true,
    singleLine: true,
    // local wall-clock time to the millisecond: the terminal's reader is on this machine
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  // Written synchronously (a terminal's and a pipe's writes are synchronous on Linux), so a line logged
  // just before process.exit() is not lost, as it would be in a transport's worker thread.
  return createLogger(level, { write: (line: string) => stream.write(prettify(line)) });
}
