// One Mac of the onboarding e2e spec in a process of its own, so that a restart is real: the agent on its state folder
// (enrolled automatically from the PKG's enrollment file, if one is given), its browser bridge, and the landing page it
// opens printed as a line. Run with `node --import tsx`; stops on SIGTERM, and a SIGKILL plays a crash.
import { parseArgs } from 'node:util';
import { RENDERER_DIST } from '../../scripts/renderer-build';
import type { Clock } from '../../src/agent/core/ports';
import { createNodeAgent, lockStateFolder } from '../../src/agent/service/node-agent';
import { systemClock } from '../../src/agent/service/system-clock';
import { startBrowserBridge } from '../../src/agent/transport/browser-bridge-server';

const { values } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    'enrollment-file': { type: 'string' },
    // The Mac's clock jumps this many minutes ahead once it has enrolled, before its first check-in: an enrollment
    // that is long past when the agent first looks at onboarding (issue 12).
    'clock-jump-after-enrollment-minutes': { type: 'string', default: '0' },
  },
});
const stateDir = values['state-dir'];
if (stateDir === undefined) throw new Error('give --state-dir <folder>');
const jumpMs = Number(values['clock-jump-after-enrollment-minutes']) * 60_000;
if (!Number.isFinite(jumpMs)) throw new Error('--clock-jump-after-enrollment-minutes takes a number');
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs), schedule: (ms, callback) => systemClock.schedule(ms, callback) };

const lock = await lockStateFolder(stateDir);
const agent = createNodeAgent({
  stateDir,
  enrollmentFile: values['enrollment-file'] ?? null,
  clock,
  // The spec reads these two lines on stdout; the agent's own log is JSON lines on stderr.
  openLandingPage: (url) => process.stdout.write(`Atwork landing page ${url}\n`),
});
// The status event of the enrollment comes before the first check-in, which the agent schedules on the clock.
agent.onStatusChanged((status) => {
  if (status.enrolled) offsetMs = jumpMs;
});
agent.start();
const bridge = await startBrowserBridge({ service: agent, staticDir: RENDERER_DIST });
process.stdout.write(`Atwork UI ${bridge.url}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await bridge.close();
    await agent.stop();
    await lock.release();
    process.exit(0);
  })();
});
