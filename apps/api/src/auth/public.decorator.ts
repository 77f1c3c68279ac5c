import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'citypulse:public';
/** Marks a route that needs no token (health probes). Everything else requires one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
