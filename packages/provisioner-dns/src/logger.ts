/** The logging surface the DNS room needs: pino loggers and the engine's PassContext.log fit. */
export interface DnsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
