"""How the web app refuses bad requests: a message naming the parameter, one log line.

Gradio hides the text of any exception that is not a ``gr.Error`` ("has not enabled verbose
error reporting"), prints a traceback for it, answers an unknown endpoint with a 500 that
drops the connection, and fills in or ignores API values it did not get. Here:

* ``clear_errors`` wraps an API function: bad input (ValueError, KeyError) reaches the client
  as its message and the app logs one line, no traceback; an index server that does not
  answer gives the Swedish message that says so (the next call tries again);
* ``ApiBlocks`` checks how many values a call of a named endpoint sends, names the parameters
  when the count is wrong, and fills in the defaults of optional ones left out;
* ``exception_handlers`` answers an unknown endpoint with 404 and the endpoints there are,
  so the connection stays usable for the next request.
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Any, Callable

import gradio as gr
from fastapi import Request
from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError

from rag.answering.messages import say
from rag.index.store import StoreUnavailable

log = logging.getLogger(__name__)


def rejected(endpoint: str, message: str) -> gr.Error:
    """The error a client sees for a refused request, logged as one line."""
    log.warning("rejected %s request: %s", endpoint, message)
    return gr.Error(message, print_exception=False)


def unavailable(endpoint: str, exc: StoreUnavailable) -> gr.Error:
    """The error a client sees while the index server is down; the cause goes to the log."""
    log.warning("%s request failed: %s", endpoint, exc)
    return gr.Error(say("store.unavailable", "sv"), print_exception=False)


def clear_errors(name: str, fn: Callable) -> Callable:
    """``fn`` with bad input (ValueError, KeyError) turned into a ``gr.Error`` with its message."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KeyError as exc:
            raise rejected(name, str(exc.args[0] if exc.args else exc)) from None
        except StoreUnavailable as exc:
            raise unavailable(name, exc) from None
        except ValueError as exc:
            raise rejected(name, str(exc)) from None

    return wrapped


def signature_help(fn: Callable) -> tuple[int, list[str]]:
    """(number of required parameters, "name" or "name=default" for each parameter) of ``fn``."""
    params = list(inspect.signature(fn).parameters.values())
    required = sum(p.default is inspect.Parameter.empty for p in params)
    shown = [p.name if p.default is inspect.Parameter.empty else "{}={!r}".format(p.name, p.default) for p in params]
    return required, shown


class ApiBlocks(gr.Blocks):
    """``gr.Blocks`` whose named API endpoints (registered in ``api_params``) refuse a call with
    too few or too many values, naming the parameters, and get defaults for optional ones left out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.api_params: dict[str, tuple[int, list[str]]] = {}

    def validate_inputs(self, block_fn, inputs: list[Any]):
        spec = self.api_params.get(block_fn.api_name or "")
        if spec is None:
            return super().validate_inputs(block_fn, inputs)
        required, shown = spec
        if not required <= len(inputs) <= len(shown):
            raise rejected(
                block_fn.api_name,
                "/{} takes {} to {} values ({}); got {}".format(
                    block_fn.api_name, required, len(shown), ", ".join(shown), len(inputs)
                ),
            )
        # The values are read by position from this same list after the check.
        inputs.extend(block.value for block in block_fn.inputs[len(inputs) :])
        return None


def exception_handlers(endpoints: list[str]) -> dict:
    """FastAPI exception handlers for ``launch(app_kwargs=...)``."""
    listed = ", ".join("/" + e for e in endpoints)

    async def unknown_endpoint(request: Request, exc: FnIndexInferError) -> JSONResponse:
        message = "unknown API endpoint {}: this app has {}".format(request.url.path, listed)
        log.warning("rejected request: %s", message)
        return JSONResponse({"error": message}, status_code=404)

    return {FnIndexInferError: unknown_endpoint}
