// `atwork-agent schedule`: previews the next run instants of a schedule spec (issue 5 contract), as the admin API does.
import type { Command } from 'commander';
import { Temporal } from 'temporal-polyfill';
import { parseScheduleSpec } from '../../shared/schedule';
import { formatRunInstant, isKnownTimeZone, nextRunInstants } from '../../shared/schedule-math';
import { systemTimeZone } from '../schedule/system-time-zone';

/** Exit status when the spec, instant, count or zone given is invalid. */
export const EXIT_INVALID_INPUT = 2;
/** Most runs one preview prints. */
export const MAX_PREVIEW_COUNT = 10_000;

export interface SchedulePreviewRequest {
  spec: string;
  from: string;
  count: string;
  deviceTz: string;
}

export type SchedulePreview = { success: true; lines: string[] } | { success: false; message: string };

/** The lines `atwork-agent schedule` prints, or the one sentence saying which input is invalid. */
export function previewSchedule(request: SchedulePreviewRequest): SchedulePreview {
  let json: unknown;
  try {
    json = JSON.parse(request.spec);
  } catch {
    return { success: false, message: `--spec is not valid JSON; pass a schedule spec such as '{"kind":"once"}'` };
  }
  const parsed = parseScheduleSpec(json);
  if (!parsed.success) return parsed;
  let fromMs: number;
  try {
    fromMs = Temporal.Instant.from(request.from).epochMilliseconds;
  } catch {
    return { success: false, message: `--from ${request.from} is not an ISO 8601 instant with a zone offset, such as 2026-12-01T08:00:00Z` };
  }
  const count = /^\d{1,6}$/.test(request.count) ? Number(request.count) : Number.NaN;
  if (!(count <= MAX_PREVIEW_COUNT)) return { success: false, message: `--count must be a whole number from 0 to ${MAX_PREVIEW_COUNT}` };
  if (!isKnownTimeZone(request.deviceTz)) return { success: false, message: `--device-tz ${request.deviceTz} is not a known IANA time zone` };
  return { success: true, lines: nextRunInstants(parsed.spec, new Date(fromMs), count, request.deviceTz).map(formatRunInstant) };
}

/** Adds `schedule` to the agent's command line. */
export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description(
      'Print the next run instants of a schedule spec at or after --from, one per line as YYYY-MM-DDTHH:MM:SSZ (UTC). ' +
        'An "execute once" spec runs once when it arrives, so it prints --from. Exits 2 on invalid input.',
    )
    .requiredOption('--spec <json>', 'schedule spec, e.g. {"kind":"recurring","timezone":"device","start":"2026-12-01","end":"2026-12-31","frequency":"daily","times":["09:30"]}')
    .requiredOption('--from <instant>', 'ISO 8601 instant with an offset, e.g. 2026-12-01T00:00:00Z')
    .requiredOption('--count <n>', `how many runs to print at most (0-${MAX_PREVIEW_COUNT})`)
    .option('--device-tz <zone>', "IANA zone of the device for \"device\" schedules (default: this machine's)")
    .action((opts: { spec: string; from: string; count: string; deviceTz?: string }) => {
      const preview = previewSchedule({ ...opts, deviceTz: opts.deviceTz ?? systemTimeZone() });
      if (!preview.success) {
        process.stderr.write(`atwork-agent: ${preview.message}\n`);
        process.exitCode = EXIT_INVALID_INPUT;
        return;
      }
      process.stdout.write(preview.lines.map((line) => `${line}\n`).join(''));
    });
}
