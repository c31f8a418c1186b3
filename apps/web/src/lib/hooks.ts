'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * GETs a path on mount (and when it changes); reload() fetches again after a mutation. With
 * refreshMs it also polls while the tab is visible, so reconcile status shows up without a click.
 */
export function useLoad<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const reload = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      setData(await api<T>('GET', path));
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setLoading(false);
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: Error | null;
  /** The message for a field: errors[].path equal to it or below it (domains.0 belongs to domains). */
  fieldError: (path: string) => string | undefined;
  run: (work: () => Promise<unknown>) => Promise<boolean>;
  clear: () => void;
}

/** Runs one mutation at a time and keeps its problem+json for the form to show. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const fieldError = useCallback(
    (path: string) => {
      if (!(error instanceof ApiError)) return undefined;
      const key = Object.keys(error.fieldErrors).find((p) => p === path || p.startsWith(`${path}.`));
      return key === undefined ? undefined : error.fieldErrors[key];
    },
    [error],
  );
  return { busy, error, fieldError, run, clear: () => setError(null) };
}
