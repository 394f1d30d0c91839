/**
 * The search language (`q`) as a tree: the contract between the parser (libs/search) and the stores, which
 * compile it to their own queries. Never passed raw to a backend.
 */
export type SearchExpr =
  | { type: 'term'; value: string; field?: string }
  | { type: 'phrase'; value: string; field?: string }
  | { type: 'and'; items: SearchExpr[] }
  | { type: 'or'; items: SearchExpr[] }
  | { type: 'not'; item: SearchExpr };
