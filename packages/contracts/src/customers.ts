import { z } from 'zod';
import { displayName, email, password, timestamp } from './common.ts';

export const createCustomerBody = z
  .object({
    name: displayName,
    email,
    planId: z.number().int().min(1),
    password: password.optional().describe("when given, creates the customer's login with this password"),
  })
  .strict();
export type CreateCustomerBody = z.infer<typeof createCustomerBody>;

export const updateCustomerBody = z
  .object({
    planId: z.number().int().min(1).optional(),
    suspended: z.boolean().optional(),
    name: displayName.optional(),
    email: email.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field');
export type UpdateCustomerBody = z.infer<typeof updateCustomerBody>;

export const conditionSchema = z
  .object({
    type: z.string(),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string(),
    message: z.string(),
    observedGeneration: z.number().int(),
    lastTransitionTime: timestamp,
    lastError: z.string().nullable(),
    attempts: z.number().int(),
    nextAttemptAt: timestamp.nullable(),
  })
  .meta({ id: 'Condition' });
export type Condition = z.infer<typeof conditionSchema>;

export const customerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    planId: z.number().int(),
    namespace: z.string(),
    suspended: z.boolean(),
    deleting: z.boolean(),
    generation: z.number().int(),
    status: z.object({ ready: z.boolean(), conditions: z.array(conditionSchema) }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Customer' });
export type Customer = z.infer<typeof customerSchema>;

export const acceptedSchema = z.object({
  id: z.number().int(),
  generation: z.number().int(),
  status: z.string(),
});
