/** `sales_vs_targets` → `SalesVsTargets`: the prefix of a dataset's GraphQL type names. */
export function pascalCase(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
