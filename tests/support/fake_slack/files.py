"""files.*: files_upload_v2's three steps (an upload URL, the bytes, completing the share)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from aiohttp import web

from .base import ApiFamily
from .records import ApiError, UploadedFile


class FilesApi(ApiFamily):
    """Uploads awaiting their bytes, and the files shared, in order."""

    METHODS: ClassVar[dict[str, str]] = {
        "files.getUploadURLExternal": "_files_get_upload_url_external",
        "files.completeUploadExternal": "_files_complete_upload_external",
    }

    def files_in(self, channel: str, thread_ts: str | None = None) -> list[UploadedFile]:
        return [
            f
            for f in self.files
            if f.channel == channel and (thread_ts is None or f.thread_ts == thread_ts)
        ]

    async def wait_for_files(
        self, channel: str, thread_ts: str | None = None, count: int = 1, timeout: float = 15.0
    ) -> list[UploadedFile]:
        """Poll until ``count`` files are shared in the channel (or thread)."""
        return await self._poll(
            lambda: self.files_in(channel, thread_ts), count, timeout, f"files in {channel}"
        )

    def _needs_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ApiError("missing_scope", needed=scope, provided=",".join(self.scopes))

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        self._needs_scope("files:write")
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except ValueError:
            length = 0
        if not filename or length <= 0:
            raise ApiError("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = {
            "filename": filename,
            "length": length,
            "content": None,
            "alt_txt": str(args.get("alt_txt") or ""),
        }
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """Step two of files_upload_v2: the bytes, POSTed to the URL handed out above."""
        upload = self._uploads.get(request.match_info["file_id"])
        body = await request.read()
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        if len(body) != upload["length"]:
            return web.Response(status=400, text="length does not match")
        upload["content"] = body
        return web.Response(text=f"OK - {len(body)}")

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        self._needs_scope("files:write")
        raw = args.get("files")
        files = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(files, list) or not files:
            raise ApiError("invalid_arguments")
        channel = str(args.get("channel_id") or "")
        if channel:
            self._writable_channel({"channel": channel})
        shared = []
        for entry in files:
            upload = self._uploads.get(str(entry.get("id")))
            if upload is None or upload["content"] is None:
                raise ApiError("file_not_found")
            shared.append(
                UploadedFile(
                    id=str(entry["id"]),
                    filename=upload["filename"],
                    title=str(entry.get("title") or upload["filename"]),
                    content=upload["content"],
                    channel=channel,
                    thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
                    initial_comment=str(args.get("initial_comment") or ""),
                    alt_txt=upload["alt_txt"],
                )
            )
        for f in shared:
            del self._uploads[f.id]
        self.files.extend(shared)
        return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in shared]}
