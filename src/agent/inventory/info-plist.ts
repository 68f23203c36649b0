// An app bundle's Info.plist, XML or binary, as the inventory reports it: bundle id, name and version, or a reason.
import { parse, parseBinary, type PlistValue } from 'plist';
import { InstalledAppSchema, type InstalledApp } from '../../shared/protocol';

/** Larger than any real Info.plist (Xcode's is ~40 KB); a bigger file is not read, let alone parsed. */
export const MAX_INFO_PLIST_BYTES = 1024 * 1024;

const BINARY_MAGIC = 'bplist00';

/** The plist in `bytes`, binary (by its magic) or XML; throws a sentence for anything else. */
export function parsePlist(bytes: Uint8Array): PlistValue {
  if (bytes.byteLength > MAX_INFO_PLIST_BYTES) throw new Error(`the plist is ${bytes.byteLength} bytes, more than the ${MAX_INFO_PLIST_BYTES} an Info.plist may have`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buffer.subarray(0, BINARY_MAGIC.length).toString('latin1') === BINARY_MAGIC) return parseBinary(buffer);
    return parse(buffer.toString('utf8'));
  } catch (error) {
    throw new Error(`the plist cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

function stringAt(dict: Record<string, PlistValue>, key: string): string | null {
  const value = dict[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The app an Info.plist describes. The name is the one Finder shows (CFBundleDisplayName, else CFBundleName, else
 * the bundle's folder name); the version the marketing one (CFBundleShortVersionString, else CFBundleVersion).
 */
export function appOfInfoPlist(bytes: Uint8Array, folderName: string): InstalledApp {
  const plist = parsePlist(bytes);
  if (typeof plist !== 'object' || plist === null || Array.isArray(plist) || plist instanceof Date || plist instanceof Uint8Array) throw new Error('the plist is not a dictionary');
  const dict = plist as Record<string, PlistValue>;
  const bundleId = stringAt(dict, 'CFBundleIdentifier');
  if (bundleId === null) throw new Error('the plist has no CFBundleIdentifier');
  const parsed = InstalledAppSchema.safeParse({
    bundleId,
    name: stringAt(dict, 'CFBundleDisplayName') ?? stringAt(dict, 'CFBundleName') ?? folderName.replace(/\.app$/, ''),
    version: stringAt(dict, 'CFBundleShortVersionString') ?? stringAt(dict, 'CFBundleVersion'),
  });
  if (!parsed.success) throw new Error(`the plist's ${String(parsed.error.issues[0]?.path[0] ?? 'values')} is not usable: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
