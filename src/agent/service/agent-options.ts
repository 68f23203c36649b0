// What an AgentService can be given besides its ports: who runs scripts, test hooks, Apps@Work, automated enrollment, inventory.
import type { AppsOptions } from '../apps/apps-service';
import type { InventoryOptions } from '../inventory/inventory-reporter';
import type { ScriptUserSource } from '../runner/console-user';
import type { RunAsUser } from '../runner/script-runner';
import type { DeviceTimeZone } from '../schedule/scheduler';
import type { BackoffOptions } from './checkin-backoff';
import type { CheckinReceiver } from './checkin-receivers';
import type { EnrollmentInbox } from './automated-enrollment';
import type { OnboardingOptions } from './agent-onboarding';

export interface AgentOptions extends BackoffOptions {
  /** Who runs scripts that are not "Run as root" when the agent runs as root. */
  runAsUser?: RunAsUser;
  /** Where that user comes from when it is not fixed: the Mac's console user by default, or a configured account. */
  scriptUsers?: ScriptUserSource;
  /** Parent of the per-run script working folders; the OS temp folder by default. */
  scriptTempRoot?: string;
  /** Wait before looking at an unusable device key again (default 1 h); checkInNow looks at once. */
  keyRecheckMs?: number;
  /** The device's time zone for "device" schedules (default: the machine's, read afresh at each computation). */
  timeZone?: DeviceTimeZone;
  /** Test hook: the receivers of check-in answers, instead of CHECKIN_RECEIVERS. */
  checkinReceivers?: readonly CheckinReceiver[];
  /** Apps@Work installs: where packages go and the installer. */
  apps?: AppsOptions;
  /** Where an automated enrollment's server and token come from before the device is enrolled (the PKG's file). */
  automatedEnrollment?: EnrollmentInbox;
  /** Kiosk onboarding after an automated enrollment: where it is kept, and how the landing page opens. */
  onboarding?: OnboardingOptions;
  /** Where the inventory comes from and how often it is collected; without sources the agent reports none (issue 13). */
  inventory?: InventoryOptions;
}
