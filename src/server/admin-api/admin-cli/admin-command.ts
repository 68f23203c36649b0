// `atwork-server admin <resource> <verb>`: one command per admin API route, with options made from the route's own zod schemas.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { AdminClient, type AdminMethod } from '../admin-api-client';
import { ADMIN_API_ROUTES } from '../admin-api-catalog';
import type { AdminRouteSpec } from '../admin-route';
import { ADMIN_TOKEN_FILE } from '../../pki/tenant-setup';
import { isBooleanProperty, kebabCase, NULL_OPTION_VALUE, parseOptionValue, type PropertySchema } from './option-values';
import { formatForPerson } from './output-format';

interface ConnectionOptions {
  server?: string;
  token?: string;
  tokenFile?: string;
  dataDir?: string;
  json?: boolean;
}

type ObjectSchema = { properties?: Record<string, PropertySchema>; required?: string[] };

function objectProperties(schema: z.ZodType | undefined): ObjectSchema {
  if (schema === undefined) return {};
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as ObjectSchema & { type?: string };
  return json.type === 'object' ? json : {};
}

const pathParams = (spec: AdminRouteSpec): string[] => [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');

/** The token: --token, ATWORK_ADMIN_TOKEN, --token-file, or the admin-token file of --data-dir, first found. */
async function resolveToken(options: ConnectionOptions): Promise<string> {
  if (options.token) return options.token;
  const file = options.tokenFile ?? (options.dataDir ? path.join(options.dataDir, ADMIN_TOKEN_FILE) : undefined);
  if (file === undefined) throw new Error('No admin API token: pass --token, set ATWORK_ADMIN_TOKEN, or point --token-file or --data-dir at the token file.');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`The admin token file ${file} cannot be read (${(error as Error).message}).`);
  }
}

/** Reads `field=path` pairs of --file into string body fields. */
async function fileFields(pairs: string[]): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`--file takes field=path, e.g. body=./script.sh; got ${pair}.`);
    fields[pair.slice(0, at)] = await readFile(pair.slice(at + 1), 'utf8');
  }
  return fields;
}

async function readTextArgument(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function routeCommand(spec: AdminRouteSpec, print: (text: string) => void): Command {
  const verb = spec.operation.split('.')[1] ?? spec.operation;
  const command = new Command(verb).description(spec.summary);
  const params = pathParams(spec);
  for (const name of params) command.argument(`<${name}>`);
  if (spec.textBody) command.argument('<file>', 'the text to send; - reads standard input');
  if (spec.rawBody) command.argument('<file>', 'the file to upload, streamed; - reads standard input');

  const query = objectProperties(spec.query).properties ?? {};
  const body = spec.textBody ? {} : (objectProperties(spec.body).properties ?? {});
  const optionFor = (name: string, schema: PropertySchema, where: 'query' | 'body') => {
    const flag = kebabCase(name);
    const option = isBooleanProperty(schema) ? new Option(`--${flag} [bool]`, schema.description ?? `${where} field ${name}`) : new Option(`--${flag} <value>`, schema.description ?? `${where} field ${name}`);
    // Choices bring their own parser; every other option parses to the type its schema names.
    return schema.enum ? option.choices(schema.enum.map(String)) : option.argParser((raw: string | undefined) => parseOptionValue(flag, raw ?? 'true', schema));
  };
  for (const [name, schema] of Object.entries(query)) command.addOption(optionFor(name, schema, 'query'));
  for (const [name, schema] of Object.entries(body)) {
    if (name in query) continue;
    command.addOption(optionFor(name, schema, 'body'));
  }
  if (spec.body !== undefined && !spec.textBody) {
    command.option('--data <json>', 'the whole request body as JSON; the options above override its fields');
    command.option('--file <field=path...>', 'set a text field from a file, e.g. --file body=./script.sh');
  }

  command.action(async (...args: unknown[]) => {
    const positionals = args.slice(0, params.length + (spec.textBody || spec.rawBody ? 1 : 0)) as string[];
    const own = command.opts<Record<string, unknown>>();
    const connection = command.optsWithGlobals<ConnectionOptions>();
    if (!connection.server) throw new Error('No server: pass --server <url> or set ATWORK_SERVER_URL.');
    const client = new AdminClient(connection.server, await resolveToken(connection));

    let url = spec.path;
    params.forEach((name, i) => (url = url.replace(`:${name}`, encodeURIComponent(positionals[i] ?? ''))));
    const search = new URLSearchParams();
    for (const name of Object.keys(query)) if (own[name] !== undefined && own[name] !== NULL_OPTION_VALUE) search.set(name, String(own[name]));
    if (search.size > 0) url += `?${search.toString()}`;

    let payload: unknown;
    if (spec.rawBody) {
      const file = positionals[params.length] ?? '-';
      payload = Readable.toWeb(file === '-' ? process.stdin : createReadStream(file));
    } else if (spec.textBody) {
      payload = await readTextArgument(positionals[params.length] ?? '-');
    } else if (spec.body !== undefined) {
      let data: Record<string, unknown> = {};
      if (typeof own.data === 'string') {
        try {
          data = JSON.parse(own.data) as Record<string, unknown>;
        } catch {
          throw new InvalidArgumentError('--data takes the request body as JSON.');
        }
      }
      const fromOptions = Object.fromEntries(Object.keys(body).filter((k) => own[k] !== undefined && !(k in query)).map((k) => [k, own[k] === NULL_OPTION_VALUE ? null : own[k]]));
      payload = { ...data, ...(await fileFields((own.file as string[] | undefined) ?? [])), ...fromOptions };
    }
    const answer = await client.call(spec.method as AdminMethod, url, payload, { text: spec.textBody, raw: spec.rawBody !== undefined });
    print(connection.json ? JSON.stringify(answer, null, 2) : formatForPerson(answer));
  });
  return command;
}

/** Builds the `admin` command tree from the route catalog; answers go to `print` (standard output unless a test captures them). */
export function adminCommand(print: (text: string) => void = (text) => console.log(text)): Command {
  const admin = new Command('admin')
    .description('Administer a running server through its admin API: users, groups, devices, enrollment tokens, scripts, configurations, audit trail, API tokens.')
    .addOption(new Option('--server <url>', 'base URL of the server, e.g. http://127.0.0.1:8080').env('ATWORK_SERVER_URL'))
    .addOption(new Option('--token <token>', 'admin API token').env('ATWORK_ADMIN_TOKEN'))
    .option('--token-file <file>', 'file holding the admin API token')
    .addOption(new Option('--data-dir <dir>', "read the token from this data folder's admin-token file").env('ATWORK_DATA_DIR'))
    .option('--json', 'print the API answer as JSON, for scripts');
  const resources = new Map<string, Command>();
  for (const spec of ADMIN_API_ROUTES) {
    const resource = spec.operation.split('.')[0] ?? spec.operation;
    let group = resources.get(resource);
    if (!group) {
      group = new Command(resource).description(`${resource.replace('-', ' ')}`);
      resources.set(resource, group);
      admin.addCommand(group);
    }
    group.addCommand(routeCommand(spec, print));
  }
  return admin;
}
