// Where the Node agent keeps its onboarding: onboarding.json in its 0700 state folder, written atomically, 0600.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/atomic-file';
import { ensurePrivateDir } from '../state/file-state-store';
import type { OnboardingStore } from './onboarding-controller';

export const ONBOARDING_FILE = 'onboarding.json';

/** An unreadable file reads as nothing kept; the controller then never shows a kiosk it cannot account for. */
export function fileOnboardingStore(stateDir: string): OnboardingStore {
  const path = join(stateDir, ONBOARDING_FILE);
  return {
    read: async () => {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as unknown;
      } catch {
        return null;
      }
    },
    write: async (kept) => {
      await ensurePrivateDir(stateDir);
      await writeFileAtomic(path, JSON.stringify(kept), 0o600);
    },
  };
}
