import { readFileSync } from 'node:fs';
import { expandGlobs } from '../rules/rule-files.ts';
import { DEFAULT_TEMPLATES } from '../template/default-templates.ts';
import { GoTemplate } from '../template/template.ts';
import type { FunctionContext } from '../template/functions.ts';
import type { Node } from '../template/parser.ts';
import type { NotificationData } from './notification-data.ts';

/**
 * The template set notifications render with, as Alertmanager's template.FromGlobs builds it: the default
 * definitions, then every file the config's `templates` globs match (later definitions replace earlier ones).
 * A field's text (`title: '{{ template "my.title" . }}'`) is parsed once and executed with those definitions.
 */
export class NotificationTemplates {
  private readonly defines: Map<string, Node[]>;
  private readonly cache = new Map<string, GoTemplate>();
  /** Template files that could not be read or parsed (skipped; their definitions are missing). */
  readonly problems: string[] = [];

  constructor(
    readonly externalUrl: string,
    globs: readonly string[] = [],
  ) {
    const defines = new Map(new GoTemplate(DEFAULT_TEMPLATES).defines);
    for (const file of expandGlobs(globs, process.cwd())) {
      try {
        for (const [name, body] of new GoTemplate(readFileSync(file, 'utf8')).defines) defines.set(name, body);
      } catch (err) {
        this.problems.push(`template file ${file}: ${(err as Error).message}`);
      }
    }
    this.defines = defines;
  }

  /** What the template functions see: Alertmanager's dialect and this instance's URL. */
  private get functions(): FunctionContext {
    return { dialect: 'alertmanager', externalUrl: this.externalUrl };
  }

  /** Checks a field's template at config time; throws TemplateError. */
  check(text: string): void {
    this.compiled(text);
  }

  /** Executes a text field as text/template does (Alertmanager's ExecuteTextString); "" stays "". */
  text(text: string | undefined, data: NotificationData): string {
    return text ? this.compiled(text).render(data, { functions: this.functions, defines: this.defines }) : '';
  }

  /** Executes as html/template does (email html, Telegram with parse_mode HTML). */
  html(text: string | undefined, data: NotificationData): string {
    return text
      ? this.compiled(text).render(data, { functions: this.functions, defines: this.defines, mode: 'html' })
      : '';
  }

  private compiled(text: string): GoTemplate {
    let t = this.cache.get(text);
    if (!t) {
      t = new GoTemplate(text);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(text, t);
    }
    return t;
  }
}
