// The baseline of bench/api.ts: a bare Fastify server on the same machine, in its own process like
// the API, running the same SQL as the panel API through one pg pool of the same size (10) and
// nothing else — no validation, authentication layer, hooks, audit redaction, Kysely or logging.
// Hostplane ÷ baseline is the figure that travels between machines; absolute req/s do not.
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const url = process.env.BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT);
if (!url || !port) throw new Error('BENCH_DATABASE_URL and BENCH_PORT are required');
const pool = new pg.Pool({ connectionString: url, max: 10 });
const app = Fastify({ logger: false });

// The API's token lookup (authenticate.ts): token joined to its user, refused for deleted customers.
const TOKEN_SQL = `select u.id, u.email, u.role, u.customer_id, t.id as token_id, t.scope, t.last_used_at, t.expires_at
  from api_tokens t join users u on u.id = t.user_id
  where t.token_hash = $1
    and (u.customer_id is null or not exists (select c.id from customers c where c.id = u.customer_id
         and (c.deleting = true or c.deleted_at is not null)))
    and (t.expires_at is null or t.expires_at > now())`;

// GET /customers/{id} in one query (http/customers.ts readCustomer).
const CUSTOMER_SQL = `select customers.*, coalesce((select json_agg(c) from customer_conditions c
  where c.customer_id = customers.id), '[]') as conditions
  from customers where id = $1 and deleted_at is null`;

async function principal(client: pg.Pool | pg.PoolClient, authorization: string | undefined) {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  const hash = createHash('sha256').update(token).digest('hex');
  const { rows } = await client.query(TOKEN_SQL, [hash]);
  return rows[0] ?? null;
}

app.get<{ Params: { id: string } }>('/api/v1/customers/:id', async (req, reply) => {
  if (!(await principal(pool, req.headers.authorization))) return reply.code(401).send({});
  const { rows } = await pool.query(CUSTOMER_SQL, [Number(req.params.id)]);
  if (!rows[0]) return reply.code(404).send({});
  return rows[0];
});

// POST /customers/{id}/domains, rows only (mail: false): the statements of mutate() + the domain
// route, in one transaction, in the same order.
app.post<{ Params: { id: string }; Body: { name: string } }>(
  '/api/v1/customers/:id/domains',
  async (req, reply) => {
    const user = await principal(pool, req.headers.authorization);
    if (!user) return reply.code(401).send({});
    const id = Number(req.params.id);
    const name = req.body.name;
    const registrable = name.split('.').slice(-2).join('.');
    const client = await pool.connect();
    try {
      await client.query('begin');
      const customer = await client.query(
        'update customers set generation = generation + 1, updated_at = now() where id = $1 and deleted_at is null returning *',
        [id],
      );
      const planId = customer.rows[0].plan_id;
      await client.query(
        'select plans.name, plans.limits, (select count(*) from domains where customer_id = $2)::bigint as domains from plans where plans.id = $1',
        [planId, id],
      );
      await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `hostplane-domain:${registrable}`,
      ]);
      await client.query(
        `select d.id, d.customer_id, d.name from domains d where d.customer_id <> $1
           and (d.name = $2 or d.name like $3) and d.verification_state <> 'Verified'
           and d.created_at < now() - make_interval(days => 7)
           and not exists (select 1 from mailboxes m where m.address like '%@' || d.name) for update`,
        [id, registrable, `%.${registrable}`],
      );
      await client.query(
        'select name, customer_id from domains where customer_id <> $1 and (name = $2 or name like $3) order by name limit 1',
        [id, registrable, `%.${registrable}`],
      );
      const inserted = await client.query(
        `insert into domains (customer_id, name, dns, mail, dnssec, verification_token)
         values ($1, $2, true, false, false, $3) on conflict (name) do nothing returning *`,
        [id, name, `hp-${randomBytes(16).toString('hex')}`],
      );
      await client.query(
        `insert into audit_log (actor_user_id, actor_token_id, action, target, customer_id, before, after, request_id, source_ip)
         values ($1, $2, 'domain.create', $3, $4, null, $5, $6, $7)`,
        [
          user.id,
          user.token_id,
          `customer/${id}/domain/${name}`,
          id,
          JSON.stringify(inserted.rows[0]),
          req.id,
          req.ip,
        ],
      );
      await client.query(
        `select graphile_worker.add_job('reconcile', json_build_object('customerId', $1::int),
           queue_name => 'customer-' || $1, run_at => now(), max_attempts => 25,
           job_key => 'reconcile-' || $1, job_key_mode => 'replace')`,
        [id],
      );
      await client.query('commit');
      return reply.code(201).send(inserted.rows[0]);
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  },
);

await app.listen({ host: '127.0.0.1', port });
process.send?.({ ready: true });
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
