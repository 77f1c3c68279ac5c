import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { toApiPropertyOptions, validatedProperties } from './validated-properties.js';

/**
 * The static method @nestjs/swagger reads a class's property metadata from before its own
 * decorators (ModelPropertiesAccessor.applyMetadataFactory): what the CLI plugin compiles in and
 * `SwaggerModule.loadPluginMetadata` installs. Explicit @ApiProperty options still win.
 */
const SWAGGER_METADATA_FACTORY = '_OPENAPI_METADATA_FACTORY';

/**
 * Gives every class-validator DTO that a controller takes (@Body, @Query, @Param) its OpenAPI
 * property metadata, derived from its validation rules, so the document shows the same
 * constraints the API enforces without a second set of decorators to keep in step.
 */
export function describeRouteDtos(app: INestApplication): void {
  for (const dto of withNested(routeDtos(app))) {
    const properties = Object.fromEntries(
      Object.entries(validatedProperties(dto)).map(([name, p]) => [name, toApiPropertyOptions(p)]),
    );
    Object.defineProperty(dto, SWAGGER_METADATA_FACTORY, { value: () => properties, configurable: true });
  }
}

/** Parameter types of every controller method that carry class-validator rules. */
function routeDtos(app: INestApplication): Set<Type<object>> {
  const dtos = new Set<Type<object>>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const prototype = (metatype as Type<object> | null)?.prototype as object | undefined;
      if (!prototype) continue;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const types = (Reflect.getMetadata('design:paramtypes', prototype, method) ?? []) as unknown[];
        for (const type of types) if (isValidated(type)) dtos.add(type);
      }
    }
  }
  return dtos;
}

/** @nestjs/swagger's metadata of explicit @ApiProperty decorators (its DECORATORS constants). */
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

/**
 * The DTOs and those nested in them: a nested DTO (@ValidateNested) is named by an explicit
 * `@ApiProperty({ type: () => NestedDto })` on its property — class-validator does not record the
 * class — and is described from its own rules like a route's.
 */
function withNested(dtos: Set<Type<object>>): Set<Type<object>> {
  const queue = [...dtos];
  for (let dto = queue.shift(); dto; dto = queue.shift()) {
    for (const nested of nestedDtos(dto)) {
      if (dtos.has(nested)) continue;
      dtos.add(nested);
      queue.push(nested);
    }
  }
  return dtos;
}

function nestedDtos(dto: Type<object>): Type<object>[] {
  const keys = (Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, dto.prototype as object) ?? []) as string[];
  return keys.flatMap((key) => {
    const options = Reflect.getMetadata(API_MODEL_PROPERTIES, dto.prototype as object, key.slice(1)) as
      { type?: unknown } | undefined;
    const type = options?.type;
    // A lazy `() => NestedDto` (an arrow function has no prototype), or the class itself.
    const resolved: unknown = typeof type === 'function' && !('prototype' in type) ? (type as () => unknown)() : type;
    return isValidated(resolved) ? [resolved] : [];
  });
}

function isValidated(type: unknown): type is Type<object> {
  return (
    typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0
  );
}
