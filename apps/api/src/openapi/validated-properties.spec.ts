import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { validatedProperties } from './validated-properties.js';

class Page {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

class Example extends Page {
  @Matches(/^[a-z]+$/, { message: 'name must be lower-case letters' })
  name!: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  note?: string;

  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(3)
  @IsIn(['info', 'warning'], { each: true })
  severities?: string[];

  @IsUrl()
  url!: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

describe('OpenAPI properties read from class-validator rules', () => {
  const properties = validatedProperties(Example);

  it('marks a property required unless it is @IsOptional', () => {
    expect(
      Object.entries(properties)
        .filter(([, p]) => p.required)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['name', 'url']);
  });

  it('takes bounds, defaults and integer-ness, from a parent class too', () => {
    expect(properties.limit).toEqual({ required: false, type: 'integer', minimum: 1, maximum: 1000, default: 100 });
  });

  it('takes a pattern and describes it with the message the API answers a bad value with', () => {
    expect(properties.name).toEqual({
      required: true,
      type: String,
      pattern: '^[a-z]+$',
      description: 'name must be lower-case letters',
    });
  });

  it('takes lengths, formats and booleans', () => {
    expect(properties.note).toEqual({ required: false, type: String, minLength: 1, maxLength: 200 });
    expect(properties.url).toMatchObject({ type: String, format: 'uri' });
    expect(properties.enabled).toEqual({ required: false, type: Boolean });
  });

  it('describes an array by its size and the rule each element meets', () => {
    expect(properties.severities).toEqual({
      required: false,
      isArray: true,
      minItems: 1,
      maxItems: 3,
      type: String,
      enum: ['info', 'warning'],
    });
  });
});
