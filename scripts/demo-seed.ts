// Seeds the demo tenant of `npm start`: the system default agent configuration to everyone and a "hello" script run once.
import type { AdminClient } from '../src/server/admin-api/admin-api-client';

export const DEMO_USERNAME = 'demo';
export const DEMO_SCRIPT_NAME = 'hello';
const DEMO_SCRIPT = `#!/bin/bash
# Demo script seeded by npm start: proves the signed delivery path end to end.
echo "Hello from Atwork on $(uname -s) at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
`;

interface Named {
  id: string;
  name: string;
}

/** Distributes the system default agent configuration to everyone, unless it already is. */
export async function distributeSystemDefaultToEveryone(admin: AdminClient): Promise<void> {
  const { agentConfigurations } = await admin.call<{ agentConfigurations: (Named & { systemDefault: boolean; distribution: { kind: string } })[] }>(
    'GET',
    '/agent-configurations',
  );
  const systemDefault = agentConfigurations.find((c) => c.systemDefault);
  if (!systemDefault) throw new Error('the server has no system default agent configuration');
  if (systemDefault.distribution.kind !== 'everyone') {
    await admin.call('PUT', `/agent-configurations/${systemDefault.id}/distribution`, { kind: 'everyone' });
  }
}

/** Idempotent: a second start finds the demo in place and changes nothing. */
export async function seedDemo(admin: AdminClient): Promise<void> {
  const { users } = await admin.call<{ users: { username: string }[] }>('GET', '/users');
  if (!users.some((u) => u.username === DEMO_USERNAME)) {
    await admin.call('POST', '/users', { username: DEMO_USERNAME, displayName: 'Demo User' });
  }

  await distributeSystemDefaultToEveryone(admin);

  const { scripts } = await admin.call<{ scripts: Named[] }>('GET', '/scripts');
  if (scripts.some((s) => s.name === DEMO_SCRIPT_NAME)) return;
  const script = await admin.call<Named>('POST', '/scripts', { name: DEMO_SCRIPT_NAME, type: 'bash', runAsRoot: false, body: DEMO_SCRIPT });
  await admin.call('POST', '/script-configurations', {
    name: 'Say hello once',
    scriptId: script.id,
    schedule: { kind: 'once' },
    distribution: { kind: 'everyone' },
  });
}

/** A fresh registration PIN for the demo user. */
export async function demoPin(admin: AdminClient): Promise<string> {
  const { users } = await admin.call<{ users: (Named & { username: string })[] }>('GET', '/users');
  const user = users.find((u) => u.username === DEMO_USERNAME);
  if (!user) throw new Error('the demo user is missing; seed the demo first');
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
  return pin;
}
