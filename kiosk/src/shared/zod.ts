/**
 * Imported first by both pages: zod's fast path compiles validators with `new Function`,
 * which the hub's Content-Security-Policy (no 'unsafe-eval') refuses and reports.
 */
import { z } from 'zod';

z.config({ jitless: true });
