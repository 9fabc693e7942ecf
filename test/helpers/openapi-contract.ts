import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Holds a real answer against the OpenAPI document the server serves, the way a
 * contract-validating proxy does: the status must be declared for the operation, the media type
 * declared for that status, the body valid against its schema, and the headers the API documents
 * (Link, RateLimit-*, Retry-After, WWW-Authenticate, Location) declared wherever they are sent.
 */

export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Record<string, unknown>;
  /** Undefined when the body was read as a stream and is not at hand: only it goes unchecked. */
  body?: string;
}

interface MediaType {
  schema?: unknown;
}
interface Response {
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: unknown;
}

const DOCUMENTED_HEADERS = [
  'link',
  'location',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'www-authenticate',
];

export interface Contract {
  /** What is wrong with this answer, or nothing; undefined when no operation describes the request. */
  check(answer: Answer): string[] | undefined;
}

const contracts = new Map<string, Contract>();

/** One contract per distinct document: its validators are compiled once, on first use. */
export function contractOf(documentText: string): Contract {
  let contract = contracts.get(documentText);
  if (!contract) {
    contract = compileContract(JSON.parse(documentText) as Document);
    contracts.set(documentText, contract);
  }
  return contract;
}

function compileContract(document: Document): Contract {
  // Literal segments first: /audit-logs/stream is not /audit-logs/{id}.
  const templates = Object.keys(document.paths)
    .map((template) => ({ template, pattern: templatePattern(template), params: template.split('{').length }))
    .sort((a, b) => a.params - b.params);
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  const validators = new Map<MediaType, ValidateFunction>();
  const validatorOf = (media: MediaType) => {
    let validate = validators.get(media);
    if (!validate) {
      // Refs are `#/components/schemas/…`: the components ride along at the root.
      validate = ajv.compile({ ...(media.schema as object), components: document.components });
      validators.set(media, validate);
    }
    return validate;
  };

  return {
    check(answer) {
      const path = answer.url.split('?')[0] ?? '';
      const template = templates.find((candidate) => candidate.pattern.test(path))?.template;
      const operation = template ? document.paths[template]?.[answer.method.toLowerCase()] : undefined;
      if (!template || !operation) return undefined;
      const where = `${answer.method} ${template} → ${answer.status}`;
      const response = operation.responses[String(answer.status)] ?? operation.responses.default;
      if (!response) return [`${where}: status not declared`];
      const problems: string[] = [];
      const declaredHeaders = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
      for (const name of DOCUMENTED_HEADERS) {
        if (answer.headers[name] !== undefined && !declaredHeaders.has(name))
          problems.push(`${where}: header ${name} sent but not declared`);
      }
      const contentType = String(answer.headers['content-type'] ?? '');
      const mediaType = contentType.split(';')[0]?.trim() ?? '';
      if (!response.content) {
        if (answer.body) problems.push(`${where}: a body is sent where none is declared`);
        return problems;
      }
      const media = response.content[mediaType];
      if (!media) {
        const declared = Object.keys(response.content).join(', ');
        return [...problems, `${where}: media type "${mediaType}" sent, declared: ${declared}`];
      }
      if (answer.body === undefined || media.schema === undefined || !mediaType.endsWith('json'))
        return problems;
      // Newline-delimited JSON: the schema is every line's.
      if (mediaType.endsWith('ndjson'))
        return [...problems, ...lineProblems(answer.body, validatorOf(media), where)];
      let body: unknown;
      try {
        body = JSON.parse(answer.body);
      } catch {
        return [...problems, `${where}: the body is not JSON`];
      }
      const validate = validatorOf(media);
      if (!validate(body)) problems.push(`${where}: body does not match: ${ajv.errorsText(validate.errors)}`);
      return problems;
    },
  };
}

function lineProblems(body: string, validate: ValidateFunction, where: string): string[] {
  const lines = body.split('\n');
  // A complete answer ends with a newline; a cut one may end inside a line, which is not checked.
  lines.pop();
  return lines.flatMap((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return [`${where}: line ${index + 1} is not JSON`];
    }
    return validate(value)
      ? []
      : [`${where}: line ${index + 1} does not match: ${validate.errors?.[0]?.message}`];
  });
}

function templatePattern(template: string): RegExp {
  const escaped = template
    .split(/\{[^}]+\}/)
    .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}
