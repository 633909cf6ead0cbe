"""Jinja2 over inventory values, with StrictUndefined: nothing undefined becomes "".

- A value that is exactly one ``{{ expression }}`` takes the expression's own type (a number
  stays a number, a mapping a mapping); any other template renders to a string.
- Variables are looked up in a ``Scope``: one camera's merged settings and variables (or the
  site's, for links), rendered on first use, so a variable may itself be a template.
- ``secret('NAME')`` returns the secret's value inside the template; whatever the template
  then produces is wrapped in ``Secret`` (a template that mixes a secret into a bigger string
  gives a Secret of the whole string). ``env('NAME'[, default])`` reads the environment.
- Budgets (budgets.py): a template may not make a value past ``MAX_TEMPLATE_OUTPUT``
  characters or ``MAX_TEMPLATE_VALUES`` values; it stops at the bound, reported at the
  template, before the memory is spent (``'x' * 10**9`` is refused before it is built).
- Every failure is a ``TemplateFailure`` at the location of the value being rendered; its
  message never holds a secret value (failures met while a secret was in play say so and
  hide the details).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Template, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory import budgets
from camlink_provision.inventory.located import LDict, LList, is_template, located
from camlink_provision.inventory.model import Secret
from camlink_provision.inventory.secrets import SecretStore

_SINGLE_EXPRESSION = re.compile(r"\s*\{\{-?(?P<expr>.*?)-?\}\}\s*", re.S)
UNDEFINED_HINT = "define it (vars of all:, a group, or the camera) or fix the name"
# Filters whose arguments are sizes of what they make (a width, a count, a length).
SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice", "format")
BUDGET_HINT = ("a template makes one setting's value: check the expression (a repetition, "
               "a loop inside a loop)")


class TemplateFailure(Exception):
    def __init__(self, location: Location, message: str, hint: str) -> None:
        super().__init__(message)
        self.error = InventoryError(message, location, hint)


@dataclass
class _Frame:
    """One value being rendered: where it is written, and whether a secret went into it."""

    location: Location
    sensitive: bool = False


class TemplateEngine:
    """The Jinja2 environment of one load, with compiled templates cached by source."""

    def __init__(self, secrets: SecretStore, environ: Mapping[str, str]) -> None:
        self.secrets = secrets
        self.environ = environ
        # Sandboxed: validating a proposed change must not let its templates run code.
        self.jinja = _BoundedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         keep_trailing_newline=True, finalize=_reveal_printed)
        self.jinja.globals.update(secret=_secret, env=_env)
        self._compiled: dict[str, tuple[Template, bool] | TemplateFailure] = {}

    def compiled(self, source: str, location: Location) -> tuple[Template, bool]:
        """The template and whether it is a single expression (a native value)."""
        found = self._compiled.get(source)
        if found is None:
            found = self._compile(source, location)
            self._compiled[source] = found
        if isinstance(found, TemplateFailure):
            raise TemplateFailure(location, found.error.message, found.error.hint)
        return found

    def _compile(self, source: str, location: Location) -> tuple[Template, bool] | \
            TemplateFailure:
        try:
            template = self.jinja.from_string(source)  # syntax errors in the author's terms
            single = _SINGLE_EXPRESSION.fullmatch(source)
            if single and not any(m in single["expr"] for m in ("{{", "}}", "{%", "{#")):
                return self.jinja.from_string(f"{{% set result = ({single['expr']}) %}}"), True
            return template, False
        except jinja2.TemplateSyntaxError as exc:
            return TemplateFailure(location, f"template syntax error: {exc.message}",
                                   "fix the Jinja2 expression")

    def hide_secrets(self, text: str) -> bool:
        """Whether ``text`` holds a secret value (then it must not be shown)."""
        return any(value and value in text for value in self.secrets.values())


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's compiler, with ``a ~ b`` joined by ``_BoundedEnvironment.bounded_concat``."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, refusing to build a value past the budget: ``*``, ``+``, ``**`` and
    ``~`` look at the sizes first; a method or filter given a size argument (``center``,
    ``ljust``) past the budget is not called."""

    intercepted_binops = frozenset({"*", "+", "**"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters.update({name: _bounded_filter(self.filters[name])
                             for name in SIZED_FILTERS if name in self.filters})

    def bounded_concat(self, context: Context, parts: Iterable[Any]) -> str:
        texts = [str(part) for part in parts]
        if sum(len(text) for text in texts) > budgets.MAX_TEMPLATE_OUTPUT:
            raise _too_long(_scope(context).current_location(Location("<template>")))
        return "".join(texts)

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        on_text = isinstance(getattr(__obj, "__self__", None), str | list | tuple)
        if on_text and _oversized_argument(args, kwargs):  # 'x'.ljust(10**9)
            raise _too_long(_scope(__context).current_location(Location("<template>")))
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        size = _binop_size(operator, left, right)
        if size > budgets.MAX_TEMPLATE_OUTPUT:
            unit = "items" if isinstance(left, list | tuple) or \
                isinstance(right, list | tuple) else "characters"
            raise _too_long(_scope(context).current_location(Location("<template>")), unit)
        return super().call_binop(context, operator, left, right)


def _binop_size(operator: str, left: Any, right: Any) -> int:
    """About how many characters (or items) ``left OPERATOR right`` would make."""
    def sized(value: Any) -> bool:
        return isinstance(value, str | list | tuple)

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    size = 0
    if operator == "*":
        if sized(left) and whole(right):
            size = len(left) * max(right, 0)
        elif whole(left) and sized(right):
            size = max(left, 0) * len(right)
    elif operator == "+" and sized(left) and sized(right):
        size = len(left) + len(right)
    elif operator == "**" and whole(left) and whole(right) and abs(left) > 1 and right > 0:
        size = right * abs(left).bit_length() // 3  # about the digits of the result
    return int(size)


class _OverBudget(Exception):
    """A filter refused a size past the budget."""


def _oversized_argument(args: Iterable[Any], kwargs: dict[str, Any]) -> bool:
    """Whether a call is given a whole number past the budget (a width, a count)."""
    return any(isinstance(v, int) and not isinstance(v, bool)
               and v > budgets.MAX_TEMPLATE_OUTPUT for v in (*args, *kwargs.values()))


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` refusing a size argument past the budget; the value filtered (the
    first argument after any context or environment Jinja passes) may be anything."""
    skip = 1 + (getattr(function, "jinja_pass_arg", None) is not None)

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if _oversized_argument(args[skip:], kwargs):
            raise _OverBudget  # a filter has no location: render_string gives it one
        return function(*args, **kwargs)

    return bounded


def _too_long(location: Location, unit: str = "characters") -> TemplateFailure:
    return TemplateFailure(location, f"the template makes a value of more than "
                           f"{budgets.MAX_TEMPLATE_OUTPUT:,} {unit}", BUDGET_HINT)


def _count_values(value: Any, limit: int) -> int:
    """Values in ``value`` (itself included), counting no further than past ``limit``."""
    count, pending = 0, [value]
    while pending and count <= limit:
        item = pending.pop()
        count += 1
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return count


class Scope(dict[str, Any]):
    """The variables one template sees, rendered on first use (Jinja's parent mapping).

    Lookup order: the variables (settings included), then ``extras`` (``inventory_hostname``
    and friends), then the template globals (``secret``, ``env``, Jinja's own).
    """

    def __init__(self, engine: TemplateEngine, variables: LDict,
                 extras: Mapping[str, Any]) -> None:
        super().__init__()
        self.engine = engine
        self.variables = variables
        self.extras = extras
        self._done: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self._frames: list[_Frame] = []

    # -- what Jinja calls ------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self.variables or key in self.extras
                                         or key in self.engine.jinja.globals)

    def __getitem__(self, key: str) -> Any:
        if key in self.variables:
            value = self.lookup(key)
            if isinstance(value, Secret):
                self.mark_sensitive()
                return value.reveal()
            return value
        if key in self.extras:
            return self.extras[key]
        return self.engine.jinja.globals[key]

    # -- what the loader calls -------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        """A variable's rendered value (a ``Secret`` stays one); TemplateFailure if it fails."""
        if name in self._done:
            done = self._done[name]
            if isinstance(done, TemplateFailure):
                raise done
            return done
        if name in self._resolving:
            raise TemplateFailure(self.current_location(self.variables.where(name)),
                                  f"'{name}' refers to itself through other variables",
                                  "break the cycle: give one of them a plain value")
        self._resolving.add(name)
        try:
            value = self.render(self.variables[name], self.variables.where(name))
        except TemplateFailure as failure:
            self._done[name] = failure
            raise
        finally:
            self._resolving.discard(name)
        self._done[name] = value
        return value

    def render(self, value: Any, location: Location,
               failures: list[InventoryError] | None = None) -> Any:
        """``value`` with every template in it rendered; a container comes back as the same
        object when nothing in it changed. With ``failures``, a failing template is recorded
        there and left as written (so that one bad value does not hide the others);
        without, it raises TemplateFailure."""
        if isinstance(value, str):
            if not is_template(value):
                return value
            if failures is None:
                return self.render_string(value, location)
            try:
                return self.render_string(value, location)
            except TemplateFailure as failure:
                failures.append(failure.error)
                return value
        if isinstance(value, LDict):
            return self._render_mapping(value, failures)
        if isinstance(value, LList):
            return self._render_list(value, failures)
        return value

    def mark_sensitive(self) -> None:
        if self._frames:
            self._frames[-1].sensitive = True

    def current_location(self, default: Location) -> Location:
        return self._frames[-1].location if self._frames else default

    # -- internals -------------------------------------------------------------------------
    def _render_mapping(self, value: LDict, failures: list[InventoryError] | None) -> LDict:
        rendered = {key: self.render(item, value.where(key), failures)
                    for key, item in value.items()}
        if all(rendered[key] is item for key, item in value.items()):
            return value
        out = LDict(value.loc)
        for key, item in rendered.items():
            out.put(key, item, value.where(key), value.key_where(key))
        return out

    def _render_list(self, value: LList, failures: list[InventoryError] | None) -> LList:
        rendered = [self.render(item, value.where(i), failures) for i, item in enumerate(value)]
        if all(new is old for new, old in zip(rendered, value, strict=True)):
            return value
        out = LList(value.loc)
        for index, item in enumerate(rendered):
            out.add(item, value.where(index))
        return out

    def render_string(self, text: str, location: Location) -> Any:
        template, single = self.engine.compiled(text, location)
        frame = _Frame(location)
        self._frames.append(frame)
        try:
            result = self._run(template, single)
        except TemplateFailure:
            raise
        except Exception as exc:  # any error a Jinja expression raises is the author's
            raise self._failure(exc, frame) from None
        finally:
            self._frames.pop()
        return self._finish(result, frame)

    def _run(self, template: Template, single: bool) -> Any:
        context = template.new_context(self, shared=True)
        if not single:
            chunks, length = [], 0
            for chunk in template.root_render_func(context):
                length += len(chunk)
                if length > budgets.MAX_TEMPLATE_OUTPUT:
                    raise _too_long(self.current_location(Location("<template>")))
                chunks.append(chunk)
            return "".join(chunks)
        for _ in template.root_render_func(context):
            pass
        result = context.vars["result"]
        if isinstance(result, jinja2.Undefined):
            str(result)  # StrictUndefined raises UndefinedError, naming what is undefined
        return result

    def _finish(self, result: Any, frame: _Frame) -> Any:
        if isinstance(result, str) and len(result) > budgets.MAX_TEMPLATE_OUTPUT:
            raise _too_long(frame.location)
        if isinstance(result, dict | list | tuple) and \
                _count_values(result, budgets.MAX_TEMPLATE_VALUES) > budgets.MAX_TEMPLATE_VALUES:
            raise TemplateFailure(frame.location, f"the template makes more than "
                                  f"{budgets.MAX_TEMPLATE_VALUES:,} values", BUDGET_HINT)
        if not frame.sensitive or isinstance(result, Secret):
            return located(result, frame.location)
        if isinstance(result, str):
            return Secret(result)
        raise TemplateFailure(frame.location, "a template put a secret inside a mapping or "
                              "list", "use secret() only where a single value is wanted")

    def _failure(self, exc: Exception, frame: _Frame) -> TemplateFailure:
        if isinstance(exc, _OverBudget):
            return _too_long(frame.location)
        if isinstance(exc, jinja2.UndefinedError):
            message, hint = exc.message or "undefined variable", UNDEFINED_HINT
        else:
            message = f"template error: {type(exc).__name__}: {exc}"
            hint = "fix the Jinja2 expression"
        if frame.sensitive or self.engine.hide_secrets(message):
            message = "template error while using a secret (details hidden)"
            hint = "check the expression around secret()"
        return TemplateFailure(frame.location, message, hint)


def _scope(context: Context) -> Scope:
    parent = context.parent
    if not isinstance(parent, Scope):  # only Scope renders inventory templates
        raise TypeError("inventory templates render through a Scope")
    return parent


@pass_context
def _secret(context: Context, name: str) -> str:
    scope = _scope(context)
    value = scope.engine.secrets.lookup(name)
    location = scope.current_location(Location("<template>"))
    if value is None:
        raise TemplateFailure(location, f"secret '{name}' is not defined",
                              scope.engine.secrets.missing_hint(name))
    scope.mark_sensitive()
    return value


@pass_context
def _env(context: Context, name: str, default: str | None = None) -> str:
    scope = _scope(context)
    value = scope.engine.environ.get(name, default)
    if value is None:
        raise TemplateFailure(scope.current_location(Location("<template>")),
                              f"environment variable {name} is not set",
                              f"set it, or give a default: env('{name}', 'value')")
    return value


@pass_context
def _reveal_printed(context: Context, value: Any) -> Any:
    """``{{ password }}`` inside a longer string prints the secret, and marks the result."""
    if isinstance(value, Secret):
        _scope(context).mark_sensitive()
        return value.reveal()
    return value
