export function adversarialInputs(size: number): Record<string, string>;
export const ADVERSARIAL_PASSES: Array<{ name: string; module: string; input?: (text: string) => string; only?: string[] }>;
