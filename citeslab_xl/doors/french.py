"""The command line's own words in French: help pages, usage lines and usage errors (interfaces.md › Command line).

Typer (0.29) carries its own copy of Click, whose words are English literals, not gettext messages: there is no
catalogue to install. So the French comes from the classes Typer lets an application choose: a help formatter
(« Utilisation : »), commands that write their Arguments, Options and Commandes sections from the parameters'
French help, and a group whose `main` writes a usage error from what it is (a missing argument, an unknown
option, a refused value) and the parameter it concerns, never from Click's English sentence.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer._click import exceptions as usage
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

Parameter = TyperArgument | TyperOption

HELP_OPTION = "Affiche cette aide, puis s'arrête."
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."
_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.?(?: Did you mean (?P<close>.+)\?)?$", re.DOTALL)
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<extra>.*)\)$", re.DOTALL)


class ValueRefused(typer.BadParameter):
    """A value that a parser of the command line refused, with the French sentence that says what to type."""


class FrenchFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")


class FrenchContext(Context):
    formatter_class = FrenchFormatter


def shown_name(param: Parameter) -> str:
    """The parameter as the user types it: `--as-of`, or an argument's metavar (`CLASSEUR`)."""
    if isinstance(param, TyperArgument):
        return param.metavar or (param.name or "").upper()
    return "/".join(param.opts)


def _with_note(text: str, note: str | None) -> str:
    return f"{text}  [{note}]" if note and text else (f"[{note}]" if note else text)


def help_record(param: Parameter) -> tuple[str, str] | None:
    """One line of a help page: the name (and the value's placeholder), then the French help."""
    if param.hidden:
        return None
    text = param.help or ""
    if isinstance(param, TyperArgument):
        return shown_name(param), _with_note(text, "obligatoire" if param.required else None)
    names = ", ".join([*param.opts, *param.secondary_opts])
    if not param.is_flag and param.metavar:
        names += f" {param.metavar}"
    default = None if param.is_flag or param.default in (None, "") else f"défaut\u00a0: {param.default}"
    return names, _with_note(text, "obligatoire" if param.required else default)


class _FrenchHelp:
    """What a command and the group share: the context (hence the formatter) and the Arguments/Options sections."""

    context_class: type[Context] = FrenchContext

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        # The parser raises some usage errors without their context: without it, no usage line, no option's metavar.
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except usage.UsageError as exc:
            if exc.ctx is None:
                exc.ctx, exc.cmd = ctx, ctx.command
            raise

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        params = self.get_params(ctx)  # type: ignore[attr-defined]
        for heading, kind in (("Arguments", "argument"), ("Options", "option")):
            records = [record for p in params if p.param_type_name == kind and (record := help_record(p))]
            if records:
                with formatter.section(heading):
                    formatter.write_dl(records)


class FrenchCommand(_FrenchHelp, TyperCommand):
    pass


class FrenchGroup(_FrenchHelp, TyperGroup):
    def __init__(self, **attrs: Any):
        attrs["subcommand_metavar"] = attrs.get("subcommand_metavar") or SUBCOMMAND_METAVAR
        super().__init__(**attrs)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        commands = [(name, self.commands[name]) for name in self.list_commands(ctx) if not self.commands[name].hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commandes"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        """Click's `main`, with its usage errors written in French."""
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except usage.ClickException as exc:
            if not standalone_mode:
                raise
            show_error(exc)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def show_error(exc: usage.ClickException) -> NoReturn:
    """A usage error as the user reads it, on stderr: the usage line, where to find help, then what is wrong."""
    if isinstance(exc, usage.NoArgsIsHelpError):
        typer.echo(exc.message, err=True)
        sys.exit(exc.exit_code)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        typer.echo(f"{ctx.get_usage()}\nAide : {ctx.command_path} {ctx.help_option_names[0]}\n", err=True)
    typer.echo(f"Erreur : {error_message(exc)}", err=True)
    sys.exit(exc.exit_code)


def error_message(exc: usage.ClickException) -> str:
    """What is wrong, in French, from the kind of error and the parameter it concerns."""
    if isinstance(exc, usage.MissingParameter) and isinstance(exc.param, Parameter):
        return _missing(exc.param)
    if isinstance(exc, usage.BadParameter) and isinstance(exc.param, Parameter):
        if isinstance(exc, ValueRefused):
            return f"{shown_name(exc.param)} {exc.message}"
        return f"la valeur donnée à {shown_name(exc.param)} n'est pas reconnue ; voyez l'aide ci-dessus."
    if isinstance(exc, usage.NoSuchOption):
        close = f" Vouliez-vous dire {' ou '.join(sorted(exc.possibilities))} ?" if exc.possibilities else ""
        return f"l'option {exc.option_name} n'existe pas pour cette commande.{close}"
    if isinstance(exc, usage.BadOptionUsage):
        return _bad_option_usage(exc)
    return _translated(exc.message)


def _missing(param: Parameter) -> str:
    what = "l'argument" if param.param_type_name == "argument" else "l'option"
    help_text = (param.help or "").rstrip(".")
    if help_text[1:2].islower():  # a sentence, not a placeholder such as AAAA-MM
        help_text = help_text[:1].lower() + help_text[1:]
    return f"il manque {what} {shown_name(param)}" + (f" : {help_text}." if help_text else ".")


def _bad_option_usage(exc: usage.BadOptionUsage) -> str:
    if "does not take a value" in exc.message:
        return f"l'option {exc.option_name} ne prend pas de valeur."
    param = _option_named(exc.ctx, exc.option_name)
    placeholder = f" ({param.metavar})" if param is not None and param.metavar else ""
    return f"l'option {exc.option_name} attend une valeur{placeholder}."


def _option_named(ctx: Context | None, name: str) -> TyperOption | None:
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if isinstance(p, TyperOption) and name in p.opts), None)


def _translated(message: str) -> str:
    """The usage errors that Click words as a sentence only (an unknown command, extra arguments)."""
    if found := _NO_SUCH_COMMAND.match(message):
        close = found["close"]
        suggestion = f" Vouliez-vous dire {_quoted(close)} ?" if close else ""
        return f"la commande « {found['name']} » n'existe pas.{suggestion}"
    if found := _EXTRA_ARGUMENTS.match(message):
        return f"argument(s) en trop : {found['extra']}."
    return message


def _quoted(names: str) -> str:
    return " ou ".join(f"« {name.strip().strip(chr(39))} »" for name in names.split(","))
