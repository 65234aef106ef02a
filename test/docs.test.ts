/**
 * Docs are part of the feature: every rule has its page, and every option of a rule is documented under its
 * `## Options` heading (a heading of its own, or the first column of the options table).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const rules = Object.entries((plugin as unknown as { rules: Record<string, { meta?: { schema?: unknown } }> }).rules);

function optionNames(schema: unknown): string[] {
  const first = Array.isArray(schema) ? schema[0] : undefined;
  const properties = (first as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

describe('rule docs', () => {
  it('lists rules', () => {
    expect(rules.length).toBeGreaterThan(0);
  });
  it.each(rules)('%s has a docs page documenting every option', (name, rule) => {
    const file = new URL(`../docs/rules/${name}.md`, import.meta.url);
    expect(existsSync(file), `docs/rules/${name}.md`).toBe(true);
    const text = readFileSync(file, 'utf8');
    const options = optionNames(rule.meta?.schema);
    if (options.length === 0) return;
    const section = /^## Options\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1];
    expect(section, `${name}: an "## Options" section`).toBeDefined();
    const documented = section!
      .split('\n')
      .filter((line) => /^#{3,6}\s/.test(line) || line.startsWith('| '))
      .map((line) => (line.startsWith('|') ? (line.split('|')[1] ?? '') : line))
      .join('\n');
    for (const option of options) expect(documented, `${name}: option ${option}`).toContain(`\`${option}\``);
  });
});
