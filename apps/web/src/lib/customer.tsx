'use client';

import type { Customer } from '@hostplane/contracts';
import { useParams } from 'next/navigation';
import { createContext, type ReactNode, useContext } from 'react';

export interface CustomerView {
  customer: Customer;
  /** The API path of this customer, e.g. /customers/1001. */
  base: string;
  reload: () => Promise<void>;
}

const CustomerContext = createContext<CustomerView | null>(null);

export function CustomerProvider({ value, children }: { value: CustomerView; children: ReactNode }) {
  return <CustomerContext.Provider value={value}>{children}</CustomerContext.Provider>;
}

export function useCustomer(): CustomerView {
  const view = useContext(CustomerContext);
  if (!view) throw new Error('useCustomer outside the customer layout');
  return view;
}

/** The [id] segment of the current route. */
export function useCustomerId(): string {
  const params = useParams<{ id: string }>();
  return params.id;
}
