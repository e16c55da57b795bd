"""Headless Chromium for the HTML tests (selenium + Debian `chromium` and `chromium-driver`).

Also a tiny CLI to screenshot a page: `python tests/browser.py out/graph.html docs/graph.png`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_PATHS = ("chromedriver", "/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Nothing may be fetched: any request for a remote host fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    "--allow-file-access-from-files", "--hide-scrollbars", "--force-device-scale-factor=1",
)
INSTALL_HINT = ("headless Chromium is needed for the HTML tests: apt-get install -y chromium chromium-driver "
                "(and pip install selenium); set PAPER_KG_SKIP_BROWSER=1 to skip them deliberately")


def find_chromium() -> tuple[str, str]:
    """Paths of the Chromium binary and its chromedriver (CHROME_BIN / CHROMEDRIVER override).

    Raises RuntimeError with install instructions when either is missing.
    """
    browser = os.environ.get("CHROME_BIN") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    driver = os.environ.get("CHROMEDRIVER") or next(filter(None, map(shutil.which, DRIVER_PATHS)), None)
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver))
               if not path or not Path(path).exists()]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found; {INSTALL_HINT}")
    return browser, driver


def start_chromium(user_data_dir: Path, width: int = 1400, height: int = 900):
    """A selenium Chrome driver on a fresh profile, with the browser console log captured."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise RuntimeError(f"selenium is not installed; {INSTALL_HINT}") from exc
    browser, driver = find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.set_capability("unhandledPromptBehavior", "ignore")  # an alert stays open for the test to see
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def open_page(driver, path: Path, timeout: float = 30.0) -> float:
    """Load a page from file:// and wait until its layout has settled; returns the seconds it took."""
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    driver.get(Path(path).resolve().as_uri())
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return !!(window.kg && window.kg.ready)"))
    return time.perf_counter() - started


def screenshot(html: Path, png: Path, width: int = 1600, height: int = 1000) -> float:
    """Render `html` in headless Chromium and save a PNG of the settled page."""
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        driver = start_chromium(Path(profile), width, height)
        try:
            seconds = open_page(driver, html)
            time.sleep(0.3)
            png.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(png))
            return seconds
        finally:
            driver.quit()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tests/browser.py PAGE.html OUT.png")
    took = screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"settled in {took:.1f}s; wrote {sys.argv[2]}")
