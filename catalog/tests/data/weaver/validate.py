"""Validates a semantic-convention registry file (YAML, on stdin) against
Weaver's JSON schema (the path given as the argument); on success writes the
document as JSON to stdout, else each error to stderr and exits with status 1.

    target/semconv-venv/bin/python3 -I catalog/tests/data/weaver/validate.py \
        catalog/tests/data/weaver/semconv.schema.json < registry.yaml

catalog/tests/semconv.rs runs it with the interpreter of target/semconv-venv
(scripts/install-test-deps.sh installs it from requirements.txt).
"""

import json
import sys

import yaml
from jsonschema.validators import validator_for
from referencing import Registry, Resource


class Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice, as Weaver's reader does."""


def mapping(loader, node):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=True)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)

with open(sys.argv[1], encoding="utf-8") as file:
    schema = json.load(file)
try:
    document = yaml.load(sys.stdin.buffer.read().decode("utf-8"), Loader=Loader)
except (yaml.YAMLError, UnicodeDecodeError) as error:
    sys.exit(f"not YAML: {error}")
Validator = validator_for(schema)
Validator.check_schema(schema)
registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))

# The whole document against the schema.
found = [
    f"schema: {e.json_path}: "
    + (f"valid under none of its `{e.validator}` alternatives" if e.validator in ("anyOf", "oneOf") else e.message[:160])
    for e in Validator(schema, registry=registry).iter_errors(document)
]

# Each group against the definition its type names: the schema accepts a group
# that fails it as a generic convention (`anyOf`), so a metric group with an
# unknown instrument or without a unit passes the first check.
DEFINITIONS = {
    "attribute_group": "SemanticConvention",
    "metric": "MetricSemanticConvention",
    "span": "SpanSemanticConvention",
    "event": "EventSemanticConvention",
    "entity": "EntitySemanticConvention",
}


def leaves(error):
    if not error.context:
        yield error
    for cause in error.context:
        yield from leaves(cause)


groups = document.get("groups") if isinstance(document, dict) else None
for index, group in enumerate(groups if isinstance(groups, list) else []):
    definition = DEFINITIONS.get(group.get("type")) if isinstance(group, dict) else None
    if definition:
        check = Validator({"$ref": f"{schema['$id']}#/$defs/{definition}"}, registry=registry)
        causes = {f"{e.json_path}: {e.message[:160]}" for error in check.iter_errors(group) for e in leaves(error)}
        found += [f"groups[{index}] as {definition}: {cause}" for cause in sorted(causes)]
if found:
    sys.exit("\n".join(found))
json.dump(document, sys.stdout)
