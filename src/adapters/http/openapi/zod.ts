import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Once, before any schema is built: gives every zod schema its .openapi() method.
extendZodWithOpenApi(z);

export { z };
