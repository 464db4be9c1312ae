# Derives a tool's JSON schema from its Python source the way Letta's schema_generator does (name, docstring
# description, Google-style "Args:" descriptions, annotations mapped to JSON types, required = no default and not
# Optional), but from the syntax tree: the source is parsed with `ast`, never executed. Engram's own rule on top: the
# source holds exactly one top-level function. Runs in the sandbox, like the tools themselves.
import ast

# parameters Letta fills in itself and never shows the model
HIDDEN_PARAMETERS = ("self", "agent_state")
SECTION_TITLES = {
    "args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "other parameters",
    "returns", "return", "raises", "raise", "exceptions", "except", "yields", "yield", "examples", "example",
    "attributes", "notes", "note", "warns", "warnings", "warning", "see also", "todo", "references",
}
PARAMETER_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments",
                      "other parameters"}
SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "None": "null",
           "NoneType": "null"}


class Refused(Exception):
    """The source cannot become a tool; the message says why, in words for the tool's author."""


def derive_schema(source):
    try:
        tree = ast.parse(source, filename="<tool>")
    except SyntaxError as e:
        raise Refused("the source does not parse: %s (line %s)" % (e.msg, e.lineno))
    except (ValueError, RecursionError, MemoryError) as e:
        raise Refused("the source does not parse: %s" % (e.__class__.__name__,))
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not functions:
        raise Refused("the source defines no function: a tool is one top-level Python function")
    if len(functions) > 1:
        raise Refused("the source defines %d top-level functions (%s): a tool is exactly one"
                      % (len(functions), ", ".join(f.name for f in functions)))
    function = functions[0]
    doc = ast.get_docstring(function)
    short, long, params, examples = parse_docstring(doc or "")
    if short and long:
        description = short + "\n\n" + long
    else:
        description = short or long or "No description available"
    if examples and "Examples:" not in description:
        description = description + "\n\n" + examples
    properties = {}
    required = []
    for arg, default in parameters(function):
        if arg.arg in HIDDEN_PARAMETERS:
            continue
        if arg.annotation is None:
            raise Refused("parameter '%s' of function '%s' lacks a type annotation" % (arg.arg, function.name))
        if not params.get(arg.arg):
            raise Refused("parameter '%s' of function '%s' lacks a description in the docstring's Args section"
                          % (arg.arg, function.name))
        schema, optional = annotation_schema(arg.annotation, arg.arg)
        schema["description"] = params[arg.arg]
        properties[arg.arg] = schema
        if default is None and not optional:
            required.append(arg.arg)
    return {"name": function.name, "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required}}


def parameters(function):
    """(argument, default node or None) for each named parameter; *args and **kwargs are refused."""
    a = function.args
    if a.vararg is not None or a.kwarg is not None:
        raise Refused("function '%s' takes *args or **kwargs: a tool's parameters are named" % function.name)
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    return list(zip(positional, defaults)) + list(zip(a.kwonlyargs, a.kw_defaults))


def annotation_schema(node, name):
    """(JSON schema, whether the annotation is Optional) of a parameter's annotation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            raise Refused("parameter '%s' has an annotation that does not parse: %r" % (name, node.value))
    options = union_options(node)
    if options is not None:
        others = [o for o in options if not is_none(o)]
        if len(others) == 1 and len(options) == 2:
            return type_schema(others[0], name), True
        raise Refused("parameter '%s': general Union types are not supported (only Optional[X])" % name)
    return type_schema(node, name), False


def union_options(node):
    """The members of Optional[X], Union[...] or X | Y, or None when the node is not a union."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return (union_options(node.left) or [node.left]) + (union_options(node.right) or [node.right])
    if isinstance(node, ast.Subscript):
        base = dotted_name(node.value)
        if base == "Optional":
            return [node.slice, ast.Constant(value=None)]
        if base == "Union":
            return subscript_arguments(node)
    return None


def type_schema(node, name):
    if is_none(node):
        return {"type": "null"}
    base = dotted_name(node.value if isinstance(node, ast.Subscript) else node)
    if isinstance(node, ast.Subscript):
        args = subscript_arguments(node)
        if base in ("list", "List"):
            return {"type": "array", "items": type_schema(args[0], name)}
        if base == "Literal":
            values = [a.value for a in args if isinstance(a, ast.Constant)]
            if len(values) != len(args):
                raise Refused("parameter '%s': Literal takes constants only" % name)
            return {"type": "string", "enum": values}
        if base in ("tuple", "Tuple"):
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
                raise Refused("parameter '%s': variable-length tuples (Tuple[X, ...]) are not supported" % name)
            items = [type_schema(a, name) for a in args]
            return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
        if base in ("dict", "Dict"):
            raise Refused("parameter '%s': dictionary types with type arguments are not supported (use dict)" % name)
        if base in ("Optional", "Union"):
            raise Refused("parameter '%s': Optional or Union is only supported at the top of an annotation" % name)
    elif base in ("list", "List"):
        return {"type": "array", "items": {"type": "string"}}
    elif base in ("dict", "Dict"):
        return {"type": "object"}
    elif base in SCALARS:
        return {"type": SCALARS[base]}
    raise Refused("parameter '%s': the type %s has no JSON schema type (use str, int, float, bool, list, dict,"
                  " Optional or Literal)" % (name, ast.unparse(node)))


def subscript_arguments(node):
    s = node.slice
    return list(s.elts) if isinstance(s, ast.Tuple) else [s]


def dotted_name(node):
    """The last part of a name such as typing.Optional, or None for any other expression."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_none(node):
    return (isinstance(node, ast.Constant) and node.value is None) or dotted_name(node) in ("None", "NoneType")


def parse_docstring(doc):
    """(short description, long description, {parameter: description}, examples section) of a Google-style
    docstring: the short description is its first line, the long one the rest of the text before the first
    section; a parameter's entry is "name: text" or "name (type): text", continued on more indented lines."""
    lines = doc.expandtabs().splitlines()
    intro = []
    sections = []  # (title, [lines])
    for line in lines:
        stripped = line.strip()
        title = stripped[:-1].strip().lower() if stripped.endswith(":") else None
        if title in SECTION_TITLES and len(line) - len(line.lstrip()) == 0:
            sections.append((title, [line]))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    text = "\n".join(intro).strip()
    short, _, long = text.partition("\n")
    params = {}
    examples = None
    for title, body in sections:
        if title in PARAMETER_SECTIONS:
            params.update(parameter_entries(body[1:]))
        elif title in ("examples", "example") and examples is None:
            examples = "\n".join(body).strip()
    return short.strip(), long.strip() or None, params, examples


def parameter_entries(body):
    entries = {}
    indents = [len(l) - len(l.lstrip()) for l in body if l.strip()]
    if not indents:
        return entries
    item_indent = min(indents)
    name = None
    for line in body:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == item_indent:
            head, colon, rest = line.strip().partition(":")
            if not colon:
                name = None
                continue
            name = head.split("(")[0].strip().lstrip("*")
            entries[name] = rest.strip()
        elif name is not None:
            entries[name] = (entries[name] + "\n" + line.strip()).strip()
    return entries
