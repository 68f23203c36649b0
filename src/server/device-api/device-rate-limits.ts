// Rate limits of the device API (@fastify/rate-limit): per address before any work, per device once it is authenticated.
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { authenticatedDevice } from './device-auth';
import { HttpError } from '../app/http-errors';

/** Requests per minute. */
export interface DeviceRateLimits {
  /** Every device API call from one address: bounds the work an unauthenticated flood can cause. Generous, as a site's Macs may share one NAT address. */
  perAddress: number;
  /** Enrollment attempts from one address: slows PIN guessing on top of the per-PIN attempt limit. */
  enrollPerAddress: number;
  /** Authenticated calls of one device; keyed by the verified device id, so nobody can use up another device's budget. */
  perDevice: number;
}

/** A device checks in every 15 minutes and sends a few results and events; these leave room for bursts and catch-up. */
export const DEFAULT_DEVICE_RATE_LIMITS: DeviceRateLimits = { perAddress: 1200, enrollPerAddress: 20, perDevice: 120 };

const WINDOW_MS = 60_000;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

function hookOf(limiter: Limiter, what: string): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const outcome = await limiter(request);
    // isAllowed means "not limited at all" (allow-listed); a limited request passes until it exceeds the maximum.
    if (outcome.isAllowed || !outcome.isExceeded) return;
    void reply.header('retry-after', String(outcome.ttlInSeconds));
    throw new HttpError(429, 'rate_limited', `Too many ${what}; wait ${outcome.ttlInSeconds} s before trying again.`);
  };
}

export interface DeviceRateLimitHooks {
  perAddress: onRequestAsyncHookHandler;
  enroll: onRequestAsyncHookHandler;
  /** Must run after deviceTokenHook. */
  perDevice: onRequestAsyncHookHandler;
}

/** Registers the plugin on the device API scope and returns its three limits as onRequest hooks. */
export async function deviceRateLimitHooks(app: FastifyInstance, limits: DeviceRateLimits): Promise<DeviceRateLimitHooks> {
  // global: false — the limits apply where the hooks are added, not to every route of the scope by the plugin's own rules.
  await app.register(rateLimit, { global: false });
  // IPv6 addresses count per /56 (the plugin's default), so one host cannot dodge the limit by hopping within its prefix.
  const byAddress = (prefix: string) => (request: FastifyRequest) => `${prefix}:${normalizeIP(request.ip)}`;
  return {
    perAddress: hookOf(app.createRateLimit({ max: limits.perAddress, timeWindow: WINDOW_MS, keyGenerator: byAddress('address') }), 'requests from this address'),
    enroll: hookOf(app.createRateLimit({ max: limits.enrollPerAddress, timeWindow: WINDOW_MS, keyGenerator: byAddress('enroll') }), 'enrollment attempts from this address'),
    perDevice: hookOf(
      app.createRateLimit({ max: limits.perDevice, timeWindow: WINDOW_MS, keyGenerator: (request) => `device:${authenticatedDevice(request).id}` }),
      'requests from this device',
    ),
  };
}

/** Parses `perAddress=N,enrollPerAddress=N,perDevice=N` (any subset), as `serve --device-rate-limits` and ATWORK_DEVICE_RATE_LIMITS give it. */
export function parseDeviceRateLimits(text: string): Partial<DeviceRateLimits> {
  const limits: Partial<DeviceRateLimits> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const [name, value] = pair.split('=').map((s) => s.trim());
    if (!name || !(name in DEFAULT_DEVICE_RATE_LIMITS) || !value || !/^[1-9]\d{0,8}$/.test(value)) {
      throw new Error(`"${pair}" is not one of perAddress=N, enrollPerAddress=N, perDevice=N (requests per minute).`);
    }
    limits[name as keyof DeviceRateLimits] = Number(value);
  }
  return limits;
}
