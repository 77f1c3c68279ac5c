import { ConflictException, NotFoundException, type BadRequestException } from '@nestjs/common';
import { badRequest } from '../common/bad-request.js';

/** A 400 in the API's one error body, naming the field at fault. */
export const fieldProblem = (field: string, problem: string): BadRequestException =>
  badRequest([{ field, message: problem }]);

export const deviceNotFound = (id: string) => new NotFoundException(`device ${id} not found`);

export const certificateNotFound = (id: string, ref: string) =>
  new NotFoundException(`device ${id} has no certificate ${ref}`);

/** The device's city has no CA the API can sign with (configuration, not the request, is missing). */
export function noSigningCa(city: string): ConflictException {
  return new ConflictException(`no device CA to sign with for city ${city}: set CP_MQTT_TLS_CA and CP_DEVICE_CA_KEY`);
}

export function alreadyRegistered(field: string): ConflictException {
  const message = 'this certificate is already registered';
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message,
    fields: [{ field, problems: [message] }],
  });
}
