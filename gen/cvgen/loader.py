"""YAML loading that remembers where every mapping and value came from.

The generator must report problems as `file:line: message`, so every mapping
is loaded as a Node-aware dict that knows its own line and the line of each
of its keys.
"""
import yaml


class SpecError(Exception):
    """A problem in the spec, with its location."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class LDict(dict):
    """A dict that knows the file and line it and each of its keys came from."""

    path = "?"
    line = 0

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.key_lines = {}

    def at(self, key=None):
        """The location of `key` (or of the mapping itself) as (path, line)."""
        return self.path, self.key_lines.get(key, self.line)


class LList(list):
    path = "?"
    line = 0


def _make_loader(path):
    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node):
        m = LDict()
        m.path, m.line = path, node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in m:
                raise SpecError(path, key_node.start_mark.line + 1,
                                f"duplicate key '{key}'")
            m[key] = loader.construct_object(value_node, deep=True)
            m.key_lines[key] = key_node.start_mark.line + 1
        return m

    def construct_sequence(loader, node):
        seq = LList(loader.construct_object(n, deep=True) for n in node.value)
        seq.path, seq.line = path, node.start_mark.line + 1
        return seq

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                           construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                           construct_sequence)
    return Loader


def load_yaml(path, display_path=None):
    """Load one YAML file; syntax errors become SpecError with a line."""
    shown = display_path or path
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        data = yaml.load(text, Loader=_make_loader(shown))
    except SpecError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError(shown, line, f"YAML syntax: {e.problem or e}") from None
    if data is None:
        data = LDict()
        data.path, data.line = shown, 1
    return data
