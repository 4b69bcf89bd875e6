"""REST layer: parse and validate, call core/adapters off the event loop, answer JSON."""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from . import operations as api
from .adapters.files import ScanCache
from .adapters.paths import PathRefused
from .config import Rees
from .core.validate import InvalidInput

AUTH_RESOURCE = "contents"
NAMESPACE = "jupyter-rees-ui"


class ReesHandler(APIHandler):
    """Common plumbing: the server root, options, JSON errors, work in an executor."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, rees: Rees, cache: ScanCache) -> None:
        self.rees = rees
        self.cache = cache

    @property
    def root_dir(self) -> str:
        return self.settings["server_root_dir"]

    @property
    def allow_hidden(self) -> bool:
        return bool(getattr(self.contents_manager, "allow_hidden", False))

    def body(self) -> dict[str, Any]:
        try:
            data = self.get_json_body()
        except Exception as exc:  # get_json_body raises HTTPError(400) already
            raise tornado.web.HTTPError(400, f"request body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400, "request body must be a JSON object")
        return data

    async def run(self, fn, /, *args, **kwargs):
        """Run blocking work in the default executor and turn known errors into HTTP ones."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))
        except PathRefused as exc:
            raise tornado.web.HTTPError(exc.status, str(exc)) from exc
        except api.RequestError as exc:
            raise tornado.web.HTTPError(exc.status, str(exc)) from exc
        except InvalidInput as exc:
            raise tornado.web.HTTPError(400, str(exc)) from exc

    def reply(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # APIHandler already answers JSON {"message": ...}; keep the reason as the message.
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], tornado.web.HTTPError) and exc_info[1].log_message:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc_info[1].log_message, "status": status_code}))
            return
        super().write_error(status_code, **kwargs)


class ProposalHandler(ReesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        result = await self.run(
            api.proposal,
            self.root_dir,
            path=self.get_query_argument("path", ""),
            kernel=self.get_query_argument("kernel", "") or None,
            pin=self.get_query_argument("pin", self.rees.default_pin),
            overrides=self.get_query_argument("overrides", ""),
            rees=self.rees,
            cache=self.cache,
            allow_hidden=self.allow_hidden,
        )
        self.reply(result)


class KernelsHandler(ReesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.run(api.kernels))


class BodyHandler(ReesHandler):
    """POST a JSON body to one operation of ``operations`` (set by each subclass)."""

    post_operation = staticmethod(api.preview)

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body()
        self.reply(
            await self.run(self.post_operation, self.root_dir, body, allow_hidden=self.allow_hidden)
        )


class PreviewHandler(BodyHandler):
    post_operation = staticmethod(api.preview)


class WriteHandler(BodyHandler):
    post_operation = staticmethod(api.write)


class CommitHandler(BodyHandler):
    post_operation = staticmethod(api.commit)


class BadgeHandler(BodyHandler):
    """GET: the link, snippets and README preview; POST: insert the badge into the README."""

    post_operation = staticmethod(api.write_badge)

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        keys = ("path", "remote", "ref", "notebook", "mode", "doi", "provider")
        args = {k: self.get_query_argument(k, "") for k in keys}
        self.reply(await self.run(api.badge, self.root_dir, args, allow_hidden=self.allow_hidden))


ROUTES = [
    ("proposal", ProposalHandler),
    ("kernels", KernelsHandler),
    ("preview", PreviewHandler),
    ("write", WriteHandler),
    ("badge", BadgeHandler),
    ("commit", CommitHandler),
]


def setup_handlers(web_app, server_app=None) -> None:
    host_pattern = ".*$"
    base_url = web_app.settings["base_url"]
    rees = Rees(parent=server_app) if server_app is not None else Rees()
    init = {"rees": rees, "cache": ScanCache()}
    handlers = [
        (url_path_join(base_url, NAMESPACE, name), handler, init) for name, handler in ROUTES
    ]
    web_app.add_handlers(host_pattern, handlers)
