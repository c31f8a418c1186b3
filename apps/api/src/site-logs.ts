// Live reads of a site's container logs (DESIGN §9 "Live reads"): pods/log of the site's own web
// pods in the customer's namespace, through a narrow read-only port.
import type { SiteLogLine } from '@hostplane/contracts';
import type { LogWindow } from '@hostplane/domain';

export interface SiteLogQuery {
  window: LogWindow;
  /** The newest lines: of all containers together when read, per container when followed. */
  tail: number;
  container?: string;
  /** The site's hosts: the edge's access log is filtered by them (and by the customer's routers). */
  hosts: string[];
}

export interface SiteLogs {
  /** The newest lines of the site's pods, oldest first. */
  read(customerId: number, site: string, query: SiteLogQuery): Promise<SiteLogLine[]>;
  /** The recent lines, then each new one as written; ends when `signal` aborts. */
  follow(
    customerId: number,
    site: string,
    query: SiteLogQuery,
    signal: AbortSignal,
  ): AsyncIterable<SiteLogLine>;
}
