// Fills `${NAME}` and `${NAME:-default}` in container config files, env values, build args and
// the issuer. Values come from the run (PORT ...) first, then the environment; a name with
// neither a value nor a default is an error, so a typo never reaches the provider as text.

export class TemplateError extends Error {}

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function fillTemplate(text: string, vars: Record<string, string | undefined>, where: string): string {
  return text.replace(PATTERN, (_m, name: string, fallback: string | undefined) => {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new TemplateError(`${where}: \${${name}} has no value (set ${name} or give a default as \${${name}:-value})`);
  });
}
