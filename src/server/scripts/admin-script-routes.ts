// Admin API: All Scripts. Every edit makes a new immutable version whose body is stored sealed (AES-256-GCM) as a blob that devices download.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sha256Hex } from '../../shared/node/blob-cipher';
import { INT32_MAX, QueryInt } from '../../shared/input-bounds';
import { InterpreterSchema, type Interpreter } from '../../shared/script-result';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import { badRequest, conflict, notFound } from '../app/http-errors';
import { scriptConfigurationsOfScript } from '../configurations/script-configuration-queries';
import { ScriptInputsSchema, type ScriptInput } from './script-inputs';
import {
  deleteScript,
  insertScript,
  insertScriptVersion,
  latestScriptVersion,
  listScripts,
  scriptById,
  scriptVersion,
  scriptVersionBody,
  scriptVersionHistory,
  updateScript,
  type ScriptsTable,
  type VersionContent,
} from './script-queries';
import type { ServerContext } from '../app/server-context';

export const MAX_SCRIPT_BODY_BYTES = 1024 * 1024;
// A 1 MB script body grows when JSON-escaped, so these routes alone accept more than the global 1 MB body limit.
const SCRIPT_BODY_LIMIT = 4 * MAX_SCRIPT_BODY_BYTES;

const ScriptName = z.string().trim().min(1).max(200);
const ScriptBody = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SCRIPT_BODY_BYTES, { message: 'the script body must be at most 1 MB' });
const Description = z.string().max(2000);
/** The device attribute a script's trimmed output sets. */
export const AttributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9 _.-]{0,63}$/, 'an attribute name starts with a letter and has at most 64 letters, digits, spaces, _ . or -');

export const SCRIPT_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/scripts',
    operation: 'scripts.list',
    summary: 'List All Scripts, filtered by a search term on the name or by type.',
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional(), type: InterpreterSchema.optional() }),
  }),
  get: defineAdminRoute({
    method: 'GET',
    path: '/scripts/:id',
    operation: 'scripts.get',
    summary: 'A script with the body and inputs of its latest version, or of the version asked for.',
    params: IdParamsSchema,
    query: z.object({ version: QueryInt(1, INT32_MAX).optional() }),
  }),
  versions: defineAdminRoute({ method: 'GET', path: '/scripts/:id/versions', operation: 'scripts.versions', summary: "A script's versions, newest first.", params: IdParamsSchema }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/scripts',
    operation: 'scripts.create',
    summary: 'Add a script; "Run as root" is off unless asked for.',
    body: z.strictObject({
      name: ScriptName,
      type: InterpreterSchema,
      runAsRoot: z.boolean().default(false),
      body: ScriptBody,
      description: Description.optional(),
      inputs: ScriptInputsSchema.default([]),
      attribute: AttributeName.nullable().optional(),
    }),
    successStatus: 201,
    bodyLimit: SCRIPT_BODY_LIMIT,
  }),
  upload: defineAdminRoute({
    method: 'POST',
    path: '/scripts/upload',
    operation: 'scripts.upload',
    summary: 'Add a script from a plain-text file (Content-Type: text/plain); the type comes from its #! line unless given.',
    query: z.object({
      name: ScriptName,
      type: InterpreterSchema.optional(),
      runAsRoot: z.enum(['true', 'false']).default('false'),
      description: Description.optional(),
    }),
    body: ScriptBody,
    textBody: true,
    successStatus: 201,
    bodyLimit: SCRIPT_BODY_LIMIT,
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/scripts/:id',
    operation: 'scripts.update',
    summary: 'Edit a script: every edit makes a new immutable version; configurations keep the version they were given.',
    params: IdParamsSchema,
    body: z.strictObject({
      name: ScriptName.optional(),
      type: InterpreterSchema.optional(),
      runAsRoot: z.boolean().optional(),
      body: ScriptBody.optional(),
      description: Description.nullable().optional(),
      inputs: ScriptInputsSchema.optional(),
      attribute: AttributeName.nullable().optional(),
    }),
    bodyLimit: SCRIPT_BODY_LIMIT,
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/scripts/:id',
    operation: 'scripts.delete',
    summary: 'Delete a script and all its versions; refused, naming them, while script configurations use it.',
    params: IdParamsSchema,
  }),
};

const scriptView = (s: ScriptsTable) => ({
  id: s.id,
  name: s.name,
  type: s.type,
  runAsRoot: s.run_as_root === 1,
  description: s.description,
  inputs: JSON.parse(s.inputs) as ScriptInput[],
  attribute: s.attribute,
  version: s.latest_version,
  createdAt: s.created_at,
  updatedAt: s.updated_at,
});

const SHEBANG_TYPES: [RegExp, Interpreter][] = [
  [/\bzsh\b/, 'zsh'],
  [/\bbash\b|\/sh\b/, 'bash'],
  [/\bpython3?\b/, 'python'],
  [/\bswift\b/, 'swift'],
];

/** The interpreter a `#!` line names, for uploads that do not say. */
function typeFromShebang(body: string): Interpreter | null {
  const first = body.split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return null;
  return SHEBANG_TYPES.find(([pattern]) => pattern.test(first))?.[1] ?? null;
}

/** Registers /scripts routes on an admin-authenticated plugin scope. */
export function adminScriptRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const findScript = async (id: string): Promise<ScriptsTable> => {
    const script = await scriptById(ctx.db, ctx.tenant.id, id);
    if (!script) throw notFound(`Script ${id} does not exist.`);
    return script;
  };

  const create = async (request: FastifyRequest, fields: { name: string; description: string | null; attribute: string | null } & VersionContent) => {
    const at = ctx.now();
    const now = at.toISOString();
    const script: ScriptsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: fields.name,
      type: fields.type,
      run_as_root: fields.runAsRoot ? 1 : 0,
      description: fields.description,
      latest_version: 1,
      inputs: JSON.stringify(fields.inputs),
      attribute: fields.attribute,
      created_at: now,
      updated_at: now,
    };
    await auditedChange(ctx.db, { at, actor: adminActor(request), action: 'script.create', target: `script:${script.id}`, details: { bodySha256: sha256Hex(fields.body) }, after: scriptView(script) }, async (trx) => {
      await insertScript(trx, script);
      await insertScriptVersion(trx, script.id, 1, fields, now);
    });
    return scriptView(script);
  };

  addAdminRoute(app, SCRIPT_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listScripts(ctx.db, ctx.tenant.id, query, query);
    return { scripts: rows.map(scriptView), page };
  });

  addAdminRoute(app, SCRIPT_ROUTES.get, async ({ params, query }) => {
    const script = await findScript(params.id);
    const version = query.version ?? script.latest_version;
    const row = await scriptVersion(ctx.db, script.id, version);
    const body = row ? await scriptVersionBody(ctx.db, script.id, version) : null;
    if (!row || body === null) throw notFound(`Script ${script.id} has no version ${version}.`);
    return {
      ...scriptView(script),
      version,
      latestVersion: script.latest_version,
      type: row.type,
      runAsRoot: row.run_as_root === 1,
      inputs: JSON.parse(row.inputs) as ScriptInput[],
      body,
    };
  });

  addAdminRoute(app, SCRIPT_ROUTES.versions, async ({ params }) => {
    const script = await findScript(params.id);
    const rows = await scriptVersionHistory(ctx.db, script.id);
    return {
      versions: rows.map((r) => ({ version: r.version, type: r.type, runAsRoot: r.run_as_root === 1, inputs: JSON.parse(r.inputs) as ScriptInput[], blobSha256: r.sha256, createdAt: r.created_at })),
    };
  });

  addAdminRoute(app, SCRIPT_ROUTES.create, async ({ body, request }) =>
    create(request, { ...body, description: body.description ?? null, attribute: body.attribute ?? null }),
  );

  addAdminRoute(app, SCRIPT_ROUTES.upload, async ({ query, body, request }) => {
    const type = query.type ?? typeFromShebang(body);
    if (type === null) throw badRequest('The script type could not be read from its #! line; give type=bash, zsh, python or swift.');
    return create(request, { name: query.name, description: query.description ?? null, attribute: null, type, runAsRoot: query.runAsRoot === 'true', inputs: [], body });
  });

  addAdminRoute(app, SCRIPT_ROUTES.update, async ({ params, body, request }) => {
    const before = await findScript(params.id);
    const latest = await latestScriptVersion(ctx.db, before);
    const content: VersionContent = {
      body: body.body ?? (await scriptVersionBody(ctx.db, before.id, before.latest_version)) ?? '',
      type: body.type ?? InterpreterSchema.parse(latest.type),
      runAsRoot: body.runAsRoot ?? latest.run_as_root === 1,
      inputs: body.inputs ?? (JSON.parse(latest.inputs) as ScriptInput[]),
    };
    const at = ctx.now();
    const now = at.toISOString();
    const after: ScriptsTable = {
      ...before,
      name: body.name ?? before.name,
      description: body.description === undefined ? before.description : body.description,
      attribute: body.attribute === undefined ? before.attribute : body.attribute,
      type: content.type,
      run_as_root: content.runAsRoot ? 1 : 0,
      inputs: JSON.stringify(content.inputs),
      latest_version: before.latest_version + 1,
      updated_at: now,
    };
    const audit = {
      at,
      actor: adminActor(request),
      action: 'script.update',
      target: `script:${before.id}`,
      details: { bodySha256: sha256Hex(content.body) },
      before: scriptView(before),
      after: scriptView(after),
    };
    await auditedChange(ctx.db, audit, async (trx) => {
      if (!(await updateScript(trx, before, after))) throw conflict(`Script ${before.name} was edited at the same time; reload it and edit again.`);
      await insertScriptVersion(trx, before.id, after.latest_version, content, now);
    });
    return scriptView(after);
  });

  addAdminRoute(app, SCRIPT_ROUTES.delete, async ({ params, request }) => {
    const script = await findScript(params.id);
    const uses = await scriptConfigurationsOfScript(ctx.db, script.id);
    if (uses.length > 0) {
      throw conflict(`Script ${script.name} is used by script configurations ${uses.map((u) => `${u.name} (${u.id})`).join(', ')}; delete those first.`);
    }
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'script.delete', target: `script:${script.id}`, before: scriptView(script) }, async (trx) => {
      await deleteScript(trx, script.id);
    });
    return { deleted: script.id };
  });
}
