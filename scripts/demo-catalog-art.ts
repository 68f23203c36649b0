// The demo catalog's apps and the pictures the project draws for them: SVG made here (gradients, initials, a fake window), rasterised to PNG with sharp.
import sharp from 'sharp';

export interface DemoApp {
  name: string;
  bundleId: string;
  publisher: string;
  category: string;
  version: string;
  shortDescription: string;
  description: string;
  /** Two colours of the icon's gradient and the screenshots' accent. */
  colours: [string, string];
  /** What the fake window shows in each screenshot, with its caption. */
  screens: { kind: 'list' | 'editor' | 'chart' | 'grid'; caption: string }[];
  type?: 'pkg' | 'packager' | 'app-store';
  priority?: 'high' | 'normal';
  featured?: boolean;
}

export const DEMO_APPS: DemoApp[] = [
  {
    name: 'Atwork Notes', bundleId: 'org.atwork.demo.notes', publisher: 'Atwork Demo', category: 'Productivity', version: '2.4.1', type: 'pkg', featured: true, priority: 'high',
    shortDescription: 'Quick notes that sync across your Macs.',
    description: 'Atwork Notes keeps meeting notes, checklists and sketches in one place.\n\nThis demo app ships as a small generated package: installing it exercises the signed package ticket, the ranged download and the install report.',
    colours: ['#ffb703', '#fb8500'],
    screens: [{ kind: 'editor', caption: 'Write with a clean, distraction-free editor' }, { kind: 'list', caption: 'Every note, searchable' }, { kind: 'grid', caption: 'Boards for your projects' }],
  },
  {
    name: 'Taskline', bundleId: 'org.atwork.demo.taskline', publisher: 'Lineworks', category: 'Productivity', version: '5.0',
    shortDescription: 'Plan the week, one line at a time.',
    description: 'Taskline turns your to-dos into a timeline you can drag around. Shared lists keep a team on the same page.',
    colours: ['#06d6a0', '#118ab2'],
    screens: [{ kind: 'list', caption: 'Today at a glance' }, { kind: 'chart', caption: 'See where the week went' }],
  },
  {
    name: 'Code Harbor', bundleId: 'org.atwork.demo.codeharbor', publisher: 'Harbor Labs', category: 'Developer Tools', version: '1.18.3', featured: true,
    shortDescription: 'A fast editor for every language you write.',
    description: 'Code Harbor opens large projects in a blink, with language servers, a terminal and Git built in.',
    colours: ['#3a86ff', '#1d3557'],
    screens: [{ kind: 'editor', caption: 'Syntax highlighting for 200 languages' }, { kind: 'list', caption: 'Git history side by side' }, { kind: 'grid', caption: 'Extensions for everything' }, { kind: 'chart', caption: 'Profile your builds' }],
  },
  {
    name: 'Packet Scope', bundleId: 'org.atwork.demo.packetscope', publisher: 'Harbor Labs', category: 'Developer Tools', version: '3.2', type: 'packager',
    shortDescription: 'See what your apps say on the network.',
    description: 'Packet Scope records HTTP and DNS traffic of one app at a time and explains it in plain words.',
    colours: ['#8338ec', '#3a0ca3'],
    screens: [{ kind: 'list', caption: 'Every request, in order' }, { kind: 'chart', caption: 'Latency over time' }],
  },
  {
    name: 'Palette Studio', bundleId: 'org.atwork.demo.palette', publisher: 'Hue & Co', category: 'Design', version: '7.1', featured: true,
    shortDescription: 'Colour systems for product teams.',
    description: 'Palette Studio builds accessible colour palettes, checks contrast and exports tokens for code.',
    colours: ['#ff006e', '#8338ec'],
    screens: [{ kind: 'grid', caption: 'Build palettes from one colour' }, { kind: 'chart', caption: 'Contrast checked as you go' }, { kind: 'editor', caption: 'Export tokens for your code' }],
  },
  {
    name: 'Chatterbox', bundleId: 'org.atwork.demo.chatterbox', publisher: 'Open Circle', category: 'Communication', version: '12.0', type: 'app-store',
    shortDescription: 'Team chat with threads that stay tidy.',
    description: 'Chatterbox keeps conversations in threads, with calls, screen sharing and search across everything.',
    colours: ['#4cc9f0', '#4361ee'],
    screens: [{ kind: 'list', caption: 'Channels and threads' }, { kind: 'editor', caption: 'Rich messages with code blocks' }],
  },
  {
    name: 'Vault Keeper', bundleId: 'org.atwork.demo.vaultkeeper', publisher: 'Sentinel Software', category: 'Security', version: '4.6', priority: 'high',
    shortDescription: 'Passwords and passkeys, shared safely.',
    description: 'Vault Keeper stores passwords, passkeys and recovery codes end-to-end encrypted, and shares them with your team.',
    colours: ['#2a9d8f', '#264653'],
    screens: [{ kind: 'list', caption: 'Every login in one vault' }, { kind: 'grid', caption: 'Shared vaults for teams' }, { kind: 'chart', caption: 'Password health report' }],
  },
  {
    name: 'Disk Tidy', bundleId: 'org.atwork.demo.disktidy', publisher: 'Small Tools', category: 'Utilities', version: '2.0.5',
    shortDescription: 'Find what fills your disk.',
    description: 'Disk Tidy maps your disk as a sunburst and finds duplicates, old downloads and caches you can let go.',
    colours: ['#e76f51', '#f4a261'],
    screens: [{ kind: 'chart', caption: 'See your disk at a glance' }, { kind: 'list', caption: 'Largest files first' }],
  },
  {
    name: 'Clip Shelf', bundleId: 'org.atwork.demo.clipshelf', publisher: 'Small Tools', category: 'Utilities', version: '1.3',
    shortDescription: 'Your clipboard history, a keystroke away.',
    description: 'Clip Shelf remembers what you copied, so you can paste it again later. Sensitive items are never kept.',
    colours: ['#90be6d', '#43aa8b'],
    screens: [{ kind: 'list', caption: 'Everything you copied today' }, { kind: 'grid', caption: 'Pin the snippets you reuse' }],
  },
];

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();

function iconSvg(app: DemoApp): string {
  const [from, to] = app.colours;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient>
  <radialGradient id="shine" cx="0.3" cy="0.2" r="0.8"><stop offset="0" stop-color="#ffffff" stop-opacity="0.45"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient></defs>
  <rect x="24" y="24" width="464" height="464" rx="104" fill="url(#bg)"/>
  <circle cx="400" cy="120" r="70" fill="#ffffff" opacity="0.15"/>
  <circle cx="110" cy="420" r="110" fill="#000000" opacity="0.08"/>
  <rect x="24" y="24" width="464" height="464" rx="104" fill="url(#shine)"/>
  <text x="256" y="300" text-anchor="middle" font-family="sans-serif" font-weight="bold" font-size="180" fill="#ffffff">${initials(app.name)}</text>
</svg>`;
}

/** Content blocks of the fake window, by what the screenshot shows. */
function windowContent(kind: DemoApp['screens'][number]['kind'], accent: string): string {
  const x = 420;
  switch (kind) {
    case 'list':
      return Array.from({ length: 8 }, (_, i) => {
        const y = 170 + i * 62;
        return `<rect x="${x}" y="${y}" width="700" height="48" rx="10" fill="${i === 1 ? accent : '#f1f3f5'}" opacity="${i === 1 ? 0.25 : 1}"/>
  <circle cx="${x + 26}" cy="${y + 24}" r="12" fill="${accent}"/><rect x="${x + 52}" y="${y + 14}" width="${260 + ((i * 97) % 280)}" height="10" rx="5" fill="#adb5bd"/>
  <rect x="${x + 52}" y="${y + 30}" width="${160 + ((i * 61) % 200)}" height="8" rx="4" fill="#dee2e6"/>`;
      }).join('\n');
    case 'editor':
      return Array.from({ length: 14 }, (_, i) => {
        const indent = [0, 30, 60, 60, 30, 0, 30, 60, 90, 60, 30, 0, 30, 0][i] ?? 0;
        return `<text x="${x}" y="${188 + i * 34}" font-family="sans-serif" font-size="16" fill="#adb5bd">${i + 1}</text>
  <rect x="${x + 40 + indent}" y="${176 + i * 34}" width="${120 + ((i * 83) % 420)}" height="14" rx="7" fill="${i % 4 === 0 ? accent : '#ced4da'}"/>`;
      }).join('\n');
    case 'chart':
      return `<line x1="${x}" y1="640" x2="${x + 700}" y2="640" stroke="#ced4da" stroke-width="2"/>
  ${Array.from({ length: 10 }, (_, i) => {
    const height = 80 + ((i * 137) % 360);
    return `<rect x="${x + 20 + i * 68}" y="${640 - height}" width="44" height="${height}" rx="8" fill="${accent}" opacity="${0.45 + (i % 3) * 0.2}"/>`;
  }).join('\n')}
  <polyline points="${Array.from({ length: 10 }, (_, i) => `${x + 42 + i * 68},${360 - ((i * 53) % 150)}`).join(' ')}" fill="none" stroke="#343a40" stroke-width="4"/>`;
    case 'grid':
      return Array.from({ length: 6 }, (_, i) => {
        const cx = x + (i % 3) * 236;
        const cy = 170 + Math.floor(i / 3) * 250;
        return `<rect x="${cx}" y="${cy}" width="212" height="226" rx="16" fill="#f8f9fa" stroke="#dee2e6"/>
  <rect x="${cx + 16}" y="${cy + 16}" width="180" height="120" rx="10" fill="${accent}" opacity="${0.3 + (i % 3) * 0.25}"/>
  <rect x="${cx + 16}" y="${cy + 152}" width="140" height="12" rx="6" fill="#adb5bd"/><rect x="${cx + 16}" y="${cy + 176}" width="100" height="10" rx="5" fill="#dee2e6"/>`;
      }).join('\n');
  }
}

function screenshotSvg(app: DemoApp, screen: DemoApp['screens'][number]): string {
  const [from, to] = app.colours;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800" viewBox="0 0 1280 800">
  <defs><linearGradient id="desk" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
  <rect width="1280" height="800" fill="url(#desk)"/>
  <rect x="80" y="60" width="1120" height="700" rx="18" fill="#000000" opacity="0.18" transform="translate(0 10)"/>
  <rect x="80" y="60" width="1120" height="700" rx="18" fill="#ffffff"/>
  <path d="M98 60 h1084 a18 18 0 0 1 18 18 v38 h-1120 v-38 a18 18 0 0 1 18 -18 z" fill="#e9ecef"/>
  <circle cx="112" cy="88" r="8" fill="#ff5f57"/><circle cx="138" cy="88" r="8" fill="#febc2e"/><circle cx="164" cy="88" r="8" fill="#28c840"/>
  <text x="640" y="94" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#495057">${app.name}</text>
  <rect x="80" y="116" width="300" height="644" fill="#f8f9fa"/>
  ${Array.from({ length: 7 }, (_, i) => `<rect x="104" y="${150 + i * 48}" width="${150 + ((i * 41) % 90)}" height="14" rx="7" fill="${i === 0 ? to : '#ced4da'}"/>`).join('\n  ')}
  ${windowContent(screen.kind, to)}
</svg>`;
}

const toPng = (svg: string) => sharp(Buffer.from(svg)).png({ compressionLevel: 6 }).toBuffer();

export const demoIcon = (app: DemoApp): Promise<Buffer> => toPng(iconSvg(app));

export const demoScreenshots = (app: DemoApp): Promise<{ png: Buffer; caption: string }[]> =>
  Promise.all(app.screens.map(async (screen) => ({ png: await toPng(screenshotSvg(app, screen)), caption: screen.caption })));

/** The demo pkg app's "package": a small file the agent's test installer installs; a real .pkg is not needed to exercise the path. */
export function demoPackage(app: DemoApp): Buffer {
  const lines = [`ATWORK DEMO PACKAGE`, `name=${app.name}`, `bundleId=${app.bundleId}`, `version=${app.version}`, ''];
  return Buffer.concat([Buffer.from(lines.join('\n')), Buffer.alloc(64 * 1024, 0x2a)]);
}
