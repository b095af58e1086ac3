// A worked example of a user plugin (docs/plugins.md): a transform that rejects rows whose email
// belongs to one of the given domains, e.g. to keep employees and test accounts out of audiences.
// Plain JavaScript (ESM): dmpsync loads plugins without a TypeScript step.
import { defineTransform, reject, z } from 'dmpsync';

const Config = z
  .object({
    column: z.string().default('email').describe('Column holding the email address.'),
    domains: z.array(z.string().min(1)).min(1).describe('Domains to exclude, e.g. ["acme.com"].'),
  })
  .strict();

export default defineTransform({
  name: 'exclude-domains',
  version: '1.0.0',
  description: 'Rejects rows whose email domain is in a deny list.',
  config: Config,
  create(config, ctx) {
    const denied = new Set(config.domains.map((d) => d.toLowerCase()));
    ctx.logger.debug({ domains: denied.size }, 'exclude-domains ready');
    return (row) => {
      const email = String(row.data[config.column] ?? '').trim().toLowerCase();
      const domain = email.slice(email.lastIndexOf('@') + 1);
      // The reason names the rule, never the address: rejects reports must not carry PII.
      return denied.has(domain) ? reject(config.column, 'excluded domain') : row;
    };
  },
});
