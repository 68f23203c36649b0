// The Node DeviceTimeZone: the machine's current IANA zone, read afresh at every call so a change is noticed.
import { readlinkSync } from 'node:fs';
import { isKnownTimeZone } from '../../shared/schedule-math';
import type { DeviceTimeZone } from './scheduler';

/**
 * The zone TZ names if set, else the one /etc/localtime points at, else the one Intl reports.
 *
 * Intl alone is not enough for a long-running agent: V8 works the default zone out once per process, so a user who
 * changes the Mac's zone (or flies with automatic zone on) would keep the old one. macOS and Linux both keep the
 * current zone as the /etc/localtime symlink (…/zoneinfo/Europe/Paris), which is cheap to read on every computation.
 */
export const systemTimeZone: DeviceTimeZone = () => {
  const fromEnvironment = process.env.TZ;
  if (fromEnvironment !== undefined && isKnownTimeZone(fromEnvironment)) return fromEnvironment;
  try {
    const zone = /zoneinfo\/(.+)$/.exec(readlinkSync('/etc/localtime'))?.[1];
    if (zone !== undefined && isKnownTimeZone(zone)) return zone;
  } catch {
    // No symlink (a container, another OS): Intl's answer is the best there is.
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
};
