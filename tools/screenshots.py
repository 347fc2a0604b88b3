"""Screenshots of a running Concert as its users see it, for closing notes and reviews.

    python tools/screenshots.py --base http://127.0.0.1:8000 --out var/screenshots/partners \
        manager:/situations/3/:situation-manager liaison-xal:/sign-offs/:sign-offs-liaison

Each shot is USER:PATH:NAME; it signs in through the real login form (the demo password
by default), opens PATH, and saves NAME-1366.png and NAME-390.png (desktop and phone
widths, full page). Uses Debian's Chromium, as the browser tests do.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTHS = (1366, 390)


def shoot(base: str, out: Path, shots: list[str], password: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        for shot in shots:
            username, path, name = shot.split(":", 2)
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/**")
                page.goto(f"{base}{path}")
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--password", default="concert-demo-2014")
    parser.add_argument("shots", nargs="+", metavar="USER:PATH:NAME")
    args = parser.parse_args()
    for path in shoot(args.base, args.out, args.shots, args.password):
        print(path)


if __name__ == "__main__":
    main()
