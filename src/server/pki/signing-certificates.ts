// The tenant keyring and its tables: which signing certificate signs tickets now, rotation, revocation, and the CRL that tells agents (DESIGN.md §3).
import type { KeyObject } from 'node:crypto';
import type { Generated } from 'kysely';
import type { Db } from '../db/database';
import type { PrivateKeyVault } from './private-key-vault';
import {
  CRL_VALIDITY_DAYS,
  createRevocationList,
  issueSigningCertificate,
  normalizeSerial,
  REVOCATION_REASONS,
  type RevocationReason,
  type TenantSigner,
} from './tenant-pki';

/** A signing certificate this close to its end is replaced at the next ticket, so agents never see it expire. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
/** The CRL is re-signed when half its validity has passed, so a device that checks in weekly always gets a current one. */
const CRL_REISSUE_AFTER_MS = (CRL_VALIDITY_DAYS * 86_400_000) / 2;

export { REVOCATION_REASONS, type RevocationReason };

export interface TenantsTable {
  id: string;
  name: string;
  root_certificate_pem: string;
  /** The signing certificate in use, kept in step with signing_certificates on rotation. */
  signing_certificate_pem: string;
  created_at: string;
  /** The root private key sealed under the master key (private-key-vault.ts); null only before migration 0002's import. */
  root_private_key_sealed: string | null;
  /** Number of the latest CRL; only ever grows, so agents can refuse an older list. */
  crl_number: Generated<number>;
  /** Latest CRL, base64 DER, signed by the root. */
  crl: string | null;
  crl_issued_at: string | null;
}

export interface SigningCertificatesTable {
  /** Lower-case hex, no leading zeros. */
  serial_number: string;
  tenant_id: string;
  certificate_pem: string;
  private_key_sealed: string;
  not_before: string;
  not_after: string;
  created_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
}

export interface TenantIdentity {
  id: string;
  name: string;
  rootCertificatePem: string;
}

export interface SigningCertificateView {
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  /** Whether new tickets are signed with it. */
  current: boolean;
}

export const rootKeyLabel = (tenantId: string): string => `tenant:${tenantId}:root`;
export const signingKeyLabel = (tenantId: string, serial: string): string => `tenant:${tenantId}:signing:${serial}`;

/** Stores a newly issued signing certificate with its key sealed, and makes it the tenant's current one. */
export async function storeSigningCertificate(
  db: Db,
  vault: PrivateKeyVault,
  tenantId: string,
  issued: { certificatePem: string; privateKeyPem: string; serialNumber: string; notBefore: Date; notAfter: Date },
  now: Date,
): Promise<void> {
  const store = async (trx: Db) => {
    await trx
      .insertInto('signing_certificates')
      .values({
        serial_number: issued.serialNumber,
        tenant_id: tenantId,
        certificate_pem: issued.certificatePem,
        private_key_sealed: vault.seal(issued.privateKeyPem, signingKeyLabel(tenantId, issued.serialNumber)),
        not_before: issued.notBefore.toISOString(),
        not_after: issued.notAfter.toISOString(),
        created_at: now.toISOString(),
        revoked_at: null,
        revocation_reason: null,
      })
      .execute();
    await trx.updateTable('tenants').set({ signing_certificate_pem: issued.certificatePem }).where('id', '=', tenantId).execute();
  };
  // Inside a caller's transaction (first start creates the tenant in one) it joins that one; Kysely does not nest them.
  if (db.isTransaction) await store(db);
  else await db.transaction().execute(store);
}

/**
 * Signing identity of one tenant, read from the database at each use so that a rotation or revocation made by any
 * server replica applies at once; only decrypted keys are cached, by serial.
 */
export class TenantKeyring {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly db: Db,
    private readonly vault: PrivateKeyVault,
    readonly tenant: TenantIdentity,
  ) {}

  /** The signer for new tickets: the newest unrevoked certificate not near its end; issues a new one when there is none. */
  async currentSigner(now: Date): Promise<TenantSigner> {
    let row = await this.currentRow(now);
    if (row === undefined) {
      await this.rotate(now);
      row = await this.currentRow(now);
      if (row === undefined) throw new Error('A new signing certificate was issued but cannot be read back.');
    }
    let key = this.keys.get(row.serial_number);
    if (key === undefined) {
      key = this.vault.open(row.private_key_sealed, signingKeyLabel(this.tenant.id, row.serial_number));
      this.keys.set(row.serial_number, key);
    }
    return { tenantId: this.tenant.id, signingKey: key, certificateChainPem: [row.certificate_pem, this.tenant.rootCertificatePem] };
  }

  /** Issues a new signing certificate and signs every ticket from now on with it; devices need nothing new (same root). */
  async rotate(now: Date): Promise<string> {
    const issued = await issueSigningCertificate(this.tenant.name, this.tenant.rootCertificatePem, await this.rootKey(), now);
    await storeSigningCertificate(this.db, this.vault, this.tenant.id, issued, now);
    return issued.serialNumber;
  }

  /**
   * Revokes a signing certificate and publishes a new CRL; when it was the current one, a replacement is issued first
   * so check-ins never hand out tickets that agents would refuse. Returns the replacement's serial, if any.
   */
  async revoke(serial: string, reason: RevocationReason, now: Date): Promise<{ replacedBy: string | null } | null> {
    const normalized = normalizeSerial(serial);
    const wasCurrent = (await this.currentRow(now))?.serial_number === normalized;
    const updated = await this.db
      .updateTable('signing_certificates')
      .set({ revoked_at: now.toISOString(), revocation_reason: reason })
      .where('tenant_id', '=', this.tenant.id)
      .where('serial_number', '=', normalized)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return null;
    this.keys.delete(normalized);
    const replacedBy = wasCurrent ? await this.rotate(now) : null;
    await this.issueRevocationList(now);
    return { replacedBy };
  }

  /** The current CRL as base64 DER, re-signed when missing or half way through its validity. */
  async revocationList(now: Date): Promise<string> {
    const row = await this.db.selectFrom('tenants').select(['crl', 'crl_issued_at']).where('id', '=', this.tenant.id).executeTakeFirstOrThrow();
    if (row.crl !== null && row.crl_issued_at !== null && now.getTime() - Date.parse(row.crl_issued_at) < CRL_REISSUE_AFTER_MS) return row.crl;
    return this.issueRevocationList(now);
  }

  async list(now: Date): Promise<SigningCertificateView[]> {
    const [rows, current] = await Promise.all([
      this.db.selectFrom('signing_certificates').selectAll().where('tenant_id', '=', this.tenant.id).orderBy('created_at', 'desc').execute(),
      this.currentRow(now),
    ]);
    return rows.map((r) => ({
      serialNumber: r.serial_number,
      notBefore: r.not_before,
      notAfter: r.not_after,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
      revocationReason: r.revocation_reason,
      current: r.serial_number === current?.serial_number,
    }));
  }

  private currentRow(now: Date) {
    return this.db
      .selectFrom('signing_certificates')
      .select(['serial_number', 'certificate_pem', 'private_key_sealed'])
      .where('tenant_id', '=', this.tenant.id)
      .where('revoked_at', 'is', null)
      .where('not_before', '<=', now.toISOString())
      .where('not_after', '>', new Date(now.getTime() + RENEW_BEFORE_MS).toISOString())
      .orderBy('created_at', 'desc')
      .orderBy('serial_number')
      .executeTakeFirst();
  }

  private async rootKey(): Promise<KeyObject> {
    const row = await this.db.selectFrom('tenants').select('root_private_key_sealed').where('id', '=', this.tenant.id).executeTakeFirstOrThrow();
    if (row.root_private_key_sealed === null) throw new Error(`Tenant ${this.tenant.id} has no root key in the database; restore it from backup.`);
    return this.vault.open(row.root_private_key_sealed, rootKeyLabel(this.tenant.id));
  }

  /** Signs a new CRL under the next CRL number; the number is taken in a transaction so replicas never reuse one. */
  private async issueRevocationList(now: Date): Promise<string> {
    const rootKey = await this.rootKey();
    return this.db.transaction().execute(async (trx) => {
      const { crl_number: crlNumber } = await trx
        .updateTable('tenants')
        .set((eb) => ({ crl_number: eb('crl_number', '+', 1) }))
        .where('id', '=', this.tenant.id)
        .returning('crl_number')
        .executeTakeFirstOrThrow();
      const revoked = await trx
        .selectFrom('signing_certificates')
        .select(['serial_number', 'revoked_at', 'revocation_reason'])
        .where('tenant_id', '=', this.tenant.id)
        .where('revoked_at', 'is not', null)
        .execute();
      const der = await createRevocationList(
        this.tenant.rootCertificatePem,
        rootKey,
        crlNumber,
        revoked.map((r) => ({
          serialNumber: r.serial_number,
          revokedAt: new Date(r.revoked_at as string),
          reason: REVOCATION_REASONS.find((reason) => reason === r.revocation_reason) ?? 'unspecified',
        })),
        now,
      );
      const crl = der.toString('base64');
      await trx.updateTable('tenants').set({ crl, crl_issued_at: now.toISOString() }).where('id', '=', this.tenant.id).execute();
      return crl;
    });
  }
}
