import { X509Certificate } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import {
  CertificateExistsError,
  DeviceCertificateStore,
  normalizeFingerprint,
  type CertificateView,
} from '@citypulse/certificates';
import { DeviceRegistry, type DeviceRecord } from '@citypulse/registry';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { DevicePath } from '../devices/device-path.js';
import { certificateFacts, factsOf } from './certificate-facts.js';
import { DeviceCertificatePath, RegisterCertificateDto, RotateCertificateDto, SignCsrDto } from './certificate.dto.js';
import {
  alreadyRegistered,
  certificateNotFound,
  deviceNotFound,
  fieldProblem,
  noSigningCa,
} from './certificate-errors.js';
import { checkCsr } from './csr.js';
import { caFor, signDeviceCertificate, type SigningCa } from './device-cas.js';
import { SIGNING_CAS } from './certificate-providers.js';

const DEFAULT_GRACE_HOURS = 24;

/**
 * A device's X.509 client certificates: signed here from its CSR with its city's device CA, or
 * issued elsewhere and registered by fingerprint; listed with their expiry; revoked by serial.
 * Like every device route, a device of another city is "not found". Every change is audited as
 * `device:<id>`.
 */
@Controller('devices')
export class DeviceCertificatesController {
  private readonly validityDays: number;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly store: DeviceCertificateStore,
    private readonly audit: AuditLog,
    @Inject(SIGNING_CAS) private readonly cas: SigningCa[],
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.validityDays = config.deviceCertificates.validityDays;
  }

  /**
   * Signs the device's CSR (its public key only: CN and SAN are the device id). The device's other certificates keep
   * working.
   */
  @Post(':id/certificate')
  @AdminOnly()
  async sign(@Param() { id }: DevicePath, @Body() body: SignCsrDto, @CurrentTenancy() tenancy: Tenancy) {
    const device = await this.visible(id, tenancy);
    const issued = await this.issue(device, body.csr);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'certificate.issue',
      target: `device:${id}`,
      detail: `serial ${issued.record.serial}`,
    });
    return issued;
  }

  /**
   * Signs a new CSR and retires the device's previously issued certificates after `graceHours`
   * (default 24; 0 = at once, disconnecting a device logged in with one), time to install the new one.
   */
  @Post(':id/certificate/rotate')
  @AdminOnly()
  async rotate(@Param() { id }: DevicePath, @Body() body: RotateCertificateDto, @CurrentTenancy() tenancy: Tenancy) {
    const device = await this.visible(id, tenancy);
    const previous = (await this.store.listByDevice(id)).filter((c) => c.source === 'issued' && !c.revoked);
    const issued = await this.issue(device, body.csr);
    const now = new Date();
    const effectiveAt = new Date(now.getTime() + (body.graceHours ?? DEFAULT_GRACE_HOURS) * 3_600_000);
    const retired = await Promise.all(previous.map((c) => this.store.revoke(c.fingerprint, { effectiveAt, now })));
    const serials = retired.map((c) => c?.serial).join(', ') || 'none';
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'certificate.rotate',
      target: `device:${id}`,
      detail: `serial ${issued.record.serial}; retiring ${serials} at ${effectiveAt.toISOString()}`,
    });
    return { ...issued, retired: retired.filter((c): c is CertificateView => c !== undefined) };
  }

  /**
   * Registers an externally issued certificate by its PEM or only its SHA-256 fingerprint; the device then logs in with
   * it.
   */
  @Post(':id/certificates')
  @AdminOnly()
  async register(
    @Param() { id }: DevicePath,
    @Body() body: RegisterCertificateDto,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    const device = await this.visible(id, tenancy);
    if (body.certificate !== undefined && body.fingerprint !== undefined)
      throw fieldProblem('fingerprint', 'send either certificate or fingerprint, not both');
    const field = body.certificate !== undefined ? 'certificate' : 'fingerprint';
    let facts: { fingerprint: string } = { fingerprint: normalizeFingerprint(body.fingerprint ?? '') as string };
    if (body.certificate !== undefined) {
      const checked = certificateFacts(body.certificate);
      if ('problem' in checked) throw fieldProblem('certificate', checked.problem);
      facts = checked.facts;
    }
    try {
      const record = await this.store.add({ ...facts, deviceId: id, city: device.city, source: 'registered' });
      await this.audit.record({
        actor: tenancy.tokenName,
        action: 'certificate.register',
        target: `device:${id}`,
        detail: `fingerprint ${record.fingerprint}`,
      });
      return record;
    } catch (err) {
      if (err instanceof CertificateExistsError) throw alreadyRegistered(field);
      throw err;
    }
  }

  /** The device's certificates, the one expiring last first, revoked ones included (`revoked`, `revokedAt`). */
  @Get(':id/certificates')
  async list(@Param() { id }: DevicePath, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    return { items: await this.store.listByDevice(id) };
  }

  /** Revokes one certificate (by serial, or by fingerprint) at once; a device connected with it is disconnected. */
  @Post(':id/certificates/:serial/revoke')
  @HttpCode(200)
  @AdminOnly()
  async revoke(@Param() { id, serial }: DeviceCertificatePath, @CurrentTenancy() tenancy: Tenancy) {
    await this.visible(id, tenancy);
    const found = await this.store.findForDevice(id, serial);
    if (!found) throw certificateNotFound(id, serial);
    const revoked = await this.store.revoke(found.fingerprint);
    if (!revoked) throw certificateNotFound(id, serial);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'certificate.revoke',
      target: `device:${id}`,
      detail: `${found.serial ? `serial ${found.serial}` : `fingerprint ${found.fingerprint}`}`,
    });
    return revoked;
  }

  private async issue(device: DeviceRecord, csrPem: string): Promise<{ certificate: string; record: CertificateView }> {
    const ca = caFor(this.cas, device.city);
    if (!ca) throw noSigningCa(device.city);
    const checked = await checkCsr(csrPem);
    if ('problem' in checked) throw fieldProblem('csr', checked.problem);
    const signed = await signDeviceCertificate(ca, {
      deviceId: device.id,
      publicKey: checked.csr.publicKey,
      validityDays: this.validityDays,
    });
    const certificate = signed.toString('pem');
    const record = await this.store.add({
      ...factsOf(new X509Certificate(certificate)),
      deviceId: device.id,
      city: device.city,
      source: 'issued',
    });
    return { certificate, record };
  }

  private async visible(id: string, tenancy: Tenancy): Promise<DeviceRecord> {
    const device = await this.registry.get(id);
    if (!device || !tenancy.allows(device.city)) throw deviceNotFound(id);
    return device;
  }
}
