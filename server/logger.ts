import pino from 'pino';

/** Structured logs to stderr; LOG_LEVEL sets the level (default info). */
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: undefined }, pino.destination(2));
