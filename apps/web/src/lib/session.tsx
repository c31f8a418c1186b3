'use client';

import type { User } from '@hostplane/contracts';
import { createContext, type ReactNode, useContext } from 'react';

export interface Session {
  user: User;
  reload: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The signed-in user; only used below the panel layout, which renders nothing until it knows. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the panel layout');
  return session;
}
