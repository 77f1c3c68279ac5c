import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, PayloadTooLargeException } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import {
  FirmwareCatalogue,
  FirmwareVersionExistsError,
  ImageTooLargeError,
  receiveImage,
  type FirmwareBlobStore,
  type FirmwareImage,
  type SignatureVerifier,
} from '@citypulse/firmware';
import { badRequest } from '../common/bad-request.js';
import { FIRMWARE_BLOBS, FIRMWARE_SIGNATURES } from './firmware-providers.js';
import type { UploadFirmwareQuery } from './firmware.dto.js';

/** Base64 of a signature: Ed25519 is 64 bytes, ECDSA P-521 DER ~139, RSA-4096 512. */
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{16,1400}={0,2}$/;

/**
 * Receives one image: refuses what can be refused before reading (declared size, signature
 * rules), streams the body to the blob store hashing it, judges the signature, then commits the
 * bytes and adds the catalogue entry. Whatever fails leaves neither bytes nor entry behind.
 */
@Injectable()
export class FirmwareUpload {
  constructor(
    private readonly catalogue: FirmwareCatalogue,
    @Inject(FIRMWARE_BLOBS) private readonly blobs: FirmwareBlobStore,
    @Inject(FIRMWARE_SIGNATURES) private readonly signatures: SignatureVerifier | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async receive(request: Request, query: UploadFirmwareQuery, uploadedBy: string): Promise<FirmwareImage> {
    const { maxBytes, requireSignature } = this.config.firmware;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > maxBytes) throw tooLarge(maxBytes);
    const signature = this.signatureOf(request.headers['x-firmware-signature'], requireSignature);

    const id = randomUUID();
    const writer = await this.blobs.create(id);
    const check = signature ? this.signatures!.start() : undefined;
    let committed = false;
    try {
      const received = await receiveImage(request, writer, { maxBytes, ...(check && { signature: check }) });
      if (received.size === 0)
        throw badRequest([
          {
            field: 'body',
            message: 'the image is empty: send its bytes as the request body (application/octet-stream)',
          },
        ]);
      if (check && !check.verify(received.digest, signature!)) {
        throw badRequest([
          {
            field: 'signature',
            message:
              `the signature does not verify against the configured ${this.signatures!.keyType} public key ` +
              `(CP_FIRMWARE_SIGNING_PUBLIC_KEY)`,
          },
        ]);
      }
      await writer.commit();
      committed = true;
      const image: FirmwareImage = {
        id,
        deviceType: query.deviceType,
        version: query.version,
        city: query.city,
        size: received.size,
        sha256: received.sha256,
        signed: signature !== undefined,
        ...(signature && { signature: signature.toString('base64') }),
        ...(query.notes && { notes: query.notes }),
        uploadedAt: new Date().toISOString(),
        uploadedBy,
      };
      await this.catalogue.add(image);
      return image;
    } catch (err) {
      if (committed) await this.blobs.remove(id);
      else await writer.abort();
      if (err instanceof ImageTooLargeError) throw tooLarge(maxBytes);
      if (err instanceof FirmwareVersionExistsError)
        throw new ConflictException({
          statusCode: 409,
          error: 'Conflict',
          message: err.message,
          fields: [{ field: 'version', problems: [err.message] }],
        });
      throw err;
    }
  }

  /** The `X-Firmware-Signature` header (base64), judged against the configuration before any byte is read. */
  private signatureOf(header: string | string[] | undefined, required: boolean): Buffer | undefined {
    const text = Array.isArray(header) ? header[0] : header;
    if (text === undefined || text === '') {
      if (required)
        throw badRequest([
          {
            field: 'signature',
            message: 'an X-Firmware-Signature header is required (CP_FIRMWARE_REQUIRE_SIGNATURE=true)',
          },
        ]);
      return undefined;
    }
    if (!this.signatures)
      throw badRequest([
        {
          field: 'signature',
          message:
            'no public key is configured to check signatures (CP_FIRMWARE_SIGNING_PUBLIC_KEY); upload without ' +
            'X-Firmware-Signature',
        },
      ]);
    if (!SIGNATURE_BASE64.test(text.trim()))
      throw badRequest([
        { field: 'signature', message: 'X-Firmware-Signature must be the detached signature in base64' },
      ]);
    return Buffer.from(text.trim(), 'base64');
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeException {
  const message = `the image is larger than ${maxBytes} bytes (CP_FIRMWARE_MAX_BYTES)`;
  return new PayloadTooLargeException({
    statusCode: 413,
    error: 'Payload Too Large',
    message,
    fields: [{ field: 'body', problems: [message] }],
  });
}
