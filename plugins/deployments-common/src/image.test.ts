import { validateImageReference } from './image';

describe('validateImageReference', () => {
  it.each([
    'registry.paved.local/orders-api:1.4.2',
    'localhost:5000/team/orders-api:v1',
    `registry.paved.local/orders-api@sha256:${'a'.repeat(64)}`,
    `registry.paved.local/orders-api:1.0@sha256:${'0'.repeat(64)}`,
  ])('accepts %s', image => {
    expect(validateImageReference(image).valid).toBe(true);
  });

  it.each([
    ['', 'image is empty'],
    ['orders-api:1.0', 'names no registry'],
    ['registry.paved.local/orders-api', 'has no tag or digest'],
    ['registry.paved.local/Orders:1.0', 'invalid path component "Orders"'],
    ['registry.paved.local/orders-api:-bad', 'invalid tag "-bad"'],
    ['registry.paved.local/orders-api@sha256:xyz', 'malformed digest'],
    ['registry.paved.local/orders api:1', 'whitespace'],
    ['bad_host/orders:1', 'invalid registry "bad_host"'],
    ['registry.paved.local/:1', 'no repository path'],
  ])('refuses %p, saying %s', (image, error) => {
    const result = validateImageReference(image);
    expect(result.valid).toBe(false);
    expect(!result.valid && result.error).toContain(error);
  });
});
