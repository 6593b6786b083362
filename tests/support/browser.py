"""A real headless Chromium for tests, driven over the W3C WebDriver protocol by the OS's
chromedriver (no Selenium or Playwright): open a page, read what it rendered, take a screenshot.

    async with Browser(width=390, height=844) as browser:
        await browser.open("http://127.0.0.1:3000/e/...")
        width = await browser.script("return document.querySelector('img').naturalWidth")
        png = await browser.screenshot()

Scripts run through WebDriver, outside the page's Content-Security-Policy: the page itself
runs none.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess
import time
from typing import Any

import aiohttp

from tests.support.bot_process import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(path) is None:
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


class Browser:
    def __init__(self, width: int = 1280, height: int = 900) -> None:
        self.size = (width, height)
        self.port = free_port()
        self.driver: subprocess.Popen[bytes] | None = None
        self.http: aiohttp.ClientSession | None = None
        self.session = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Browser:
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http = aiohttp.ClientSession()
        deadline = time.monotonic() + 15
        while True:
            try:
                async with self.http.get(f"{self.base}/status") as response:
                    if (await response.json())["value"]["ready"]:
                        break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start")
            await asyncio.sleep(0.1)
        width, height = self.size
        options = {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--window-size={width},{height}",
            ],
            # The viewport exactly this size (a headless window is at least 500 wide): a phone's.
            "mobileEmulation": {
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}
            },
        }
        created = await self._call(
            "POST",
            "/session",
            {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}},
        )
        self.session = created["sessionId"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self.session:
                await self._call("DELETE", f"/session/{self.session}")
        finally:
            if self.http is not None:
                await self.http.close()
            if self.driver is not None:
                self.driver.terminate()
                self.driver.wait(10)

    async def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        assert self.http is not None
        async with self.http.request(method, self.base + path, json=body) as response:
            answer = await response.json()
        if response.status >= 400:
            raise RuntimeError(f"WebDriver {path}: {answer}")
        return answer["value"] if "value" in answer and "sessionId" not in answer else answer

    async def open(self, url: str) -> None:
        """Navigate and wait for the page's load event (images included)."""
        await self._call("POST", f"/session/{self.session}/url", {"url": url})

    async def script(self, source: str) -> Any:
        return await self._call(
            "POST", f"/session/{self.session}/execute/sync", {"script": source, "args": []}
        )

    async def text(self) -> str:
        """What the page shows, as a reader sees it."""
        return str(await self.script("return document.body.innerText"))

    async def screenshot(self) -> bytes:
        """The viewport as a PNG."""
        data = await self._call("GET", f"/session/{self.session}/screenshot")
        return base64.b64decode(data)

    async def full_page_png(self) -> bytes:
        """The whole page as a PNG (Chromium's full-page capture)."""
        height = int(await self.script("return document.documentElement.scrollHeight"))
        width, _ = self.size
        shot = await self._call(
            "POST",
            f"/session/{self.session}/goog/cdp/execute",
            {
                "cmd": "Page.captureScreenshot",
                "params": {
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                },
            },
        )
        return base64.b64decode(shot["data"])
