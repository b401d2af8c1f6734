import { DefaultNamingStrategy, NamingStrategyInterface } from 'typeorm';

/** snake_case columns for camelCase properties (STYLE §3). */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(
    propertyName: string,
    customName: string | undefined,
    prefixes: string[],
  ): string {
    const name = customName ?? propertyName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return prefixes.length ? `${prefixes.join('_')}_${name}` : name;
  }
}
