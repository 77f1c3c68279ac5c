import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, Matches, ValidateNested } from 'class-validator';
import { CITY_PATTERN, DISTRICT_PATTERN, SITE_PATTERN } from '@citypulse/registry';

export class DistrictsPath {
  @Matches(CITY_PATTERN, { message: 'city must be a lower-case slug such as "beijing"' })
  city!: string;
}

export class DistrictDto {
  @Matches(DISTRICT_PATTERN, { message: 'name must be a district name, a lower-case slug such as "chaoyang"' })
  name!: string;

  /** The city's sites in this district (as devices name them); a site is in at most one district. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(SITE_PATTERN, { each: true, message: 'each of sites must be a site name' })
  sites!: string[];
}

/** PUT /cities/:city/districts: the city's districts, whole (an empty list: none). */
export class PutDistrictsDto {
  @IsArray({ message: 'districts must be a list of {name, sites}' })
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => DistrictDto)
  @ApiProperty({ type: () => DistrictDto, isArray: true })
  districts!: DistrictDto[];
}
