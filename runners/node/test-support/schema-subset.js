'use strict';
// A small JSON Schema (2020-12) validator covering exactly the keywords schema/result.schema.json
// uses, so the Node tests can validate runner output against the real schema without npm deps:
// $ref (local), type, enum, const, required, properties, additionalProperties (boolean),
// items, minItems, maxItems, minimum, exclusiveMinimum, minLength, oneOf, allOf, if/then/else,
// format date-time. Any other keyword makes it throw, so it can never silently under-validate.
// The Python test validates with the real jsonschema Draft202012Validator.

const KNOWN = new Set([
  '$schema', '$id', '$comment', 'title', 'description', '$defs',
  '$ref', 'type', 'enum', 'const', 'required', 'properties', 'additionalProperties', 'items',
  'minItems', 'maxItems', 'minimum', 'exclusiveMinimum', 'minLength', 'oneOf', 'allOf', 'if',
  'then', 'else', 'format',
]);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function typeMatches(type, value) {
  switch (type) {
    case 'null': return value === null;
    case 'boolean': return typeof value === 'boolean';
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    default: throw new Error(`schema-subset: unsupported type ${type}`);
  }
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveRef(root, ref) {
  if (!ref.startsWith('#/')) throw new Error(`schema-subset: unsupported $ref ${ref}`);
  return ref.slice(2).split('/').reduce((node, key) => node[key], root);
}

function validateNode(root, schema, value, where, errors) {
  if (schema === true) return;
  if (schema === false) {
    errors.push(`${where}: not allowed`);
    return;
  }
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`schema-subset: unsupported keyword ${key} at ${where}`);
  }
  if (schema.$ref !== undefined) validateNode(root, resolveRef(root, schema.$ref), value, where, errors);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) {
      errors.push(`${where}: expected type ${types.join('|')}, got ${JSON.stringify(value)}`);
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) {
    errors.push(`${where}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`);
  }
  if (schema.const !== undefined && !deepEqual(schema.const, value)) {
    errors.push(`${where}: expected const ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: < minimum ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      errors.push(`${where}: <= exclusiveMinimum ${schema.exclusiveMinimum}`);
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${where}: too short`);
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) errors.push(`${where}: not a date-time`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: too many items`);
    if (schema.items !== undefined) {
      value.forEach((item, i) => validateNode(root, schema.items, item, `${where}[${i}]`, errors));
    }
  }
  if (typeMatches('object', value)) {
    for (const name of schema.required || []) {
      if (!Object.prototype.hasOwnProperty.call(value, name)) errors.push(`${where}: missing required ${name}`);
    }
    const properties = schema.properties || {};
    for (const [name, child] of Object.entries(value)) {
      if (Object.prototype.hasOwnProperty.call(properties, name)) {
        validateNode(root, properties[name], child, `${where}.${name}`, errors);
      } else if (schema.additionalProperties === false) {
        errors.push(`${where}: unexpected property ${name}`);
      }
    }
  }
  if (schema.allOf !== undefined) {
    for (const sub of schema.allOf) validateNode(root, sub, value, where, errors);
  }
  if (schema.oneOf !== undefined) {
    const matching = schema.oneOf.filter((sub) => collect(root, sub, value, where).length === 0).length;
    if (matching !== 1) errors.push(`${where}: matches ${matching} of oneOf, expected exactly 1`);
  }
  if (schema.if !== undefined) {
    const branch = collect(root, schema.if, value, where).length === 0 ? schema.then : schema.else;
    if (branch !== undefined) validateNode(root, branch, value, where, errors);
  }
}

function collect(root, schema, value, where) {
  const errors = [];
  validateNode(root, schema, value, where, errors);
  return errors;
}

/** All validation errors of `value` against the root `schema` (empty when valid). */
function validate(schema, value) {
  return collect(schema, schema, value, '$');
}

module.exports = { validate };
