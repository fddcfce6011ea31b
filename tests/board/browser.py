#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Opens a board that `baton board` wrote in headless Chromium (Debian's
# chromium + chromium-driver, through python3-selenium) and prints what the
# pages show, one "key value" line each, for tests/shell/board-browser.t to
# judge. Screenshots go to SHOT_DIR so a reviewer can look at them.
#
#   browser.py SITE_DIR SHOT_DIR
import json
import os
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service

site, shots = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
os.makedirs(shots, exist_ok=True)
profile = tempfile.mkdtemp(prefix="baton-chromium-")

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1280,1400",
             "--user-data-dir=" + profile):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
service = Service("/usr/bin/chromedriver", log_output=os.devnull)
driver = webdriver.Chrome(service=service, options=options)

# Before any page script: count every alert/confirm/prompt and every script
# error, so a hostile title that ran would show in the page's own state.
driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
  window.__alerts = 0; window.__errors = [];
  window.alert = window.confirm = window.prompt = function () { window.__alerts++; };
  window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); }, true);
"""})

COLLECT = """
const ids = sel => Array.from(document.querySelectorAll(sel))
  .filter(e => !e.hidden).map(e => e.getAttribute('data-task')).join(',');
const out = {};
document.querySelectorAll('[data-column]').forEach(c => {
  out['column.' + c.getAttribute('data-column')] = ids('#' + c.id + ' .card'); });
out['lanes'] = Array.from(document.querySelectorAll('svg g.lane'))
  .map(g => g.getAttribute('data-member')).join(',');
out['arrows'] = Array.from(document.querySelectorAll('svg line.arrow'))
  .map(a => a.getAttribute('data-task') + ':' + a.getAttribute('data-from') + '>' +
       a.getAttribute('data-to')).join(',');
out['arrow_boxes'] = Array.from(document.querySelectorAll('svg line.arrow'))
  .filter(a => a.getBoundingClientRect().height > 0).length;
out['now_line'] = document.querySelectorAll('svg line.now').length;
// Each lane's shaded working hours as laid out: "x+width" of every rect.
out['work'] = Array.from(document.querySelectorAll('svg g.lane')).map(g =>
  g.getAttribute('data-member') + '=' + Array.from(g.querySelectorAll('rect.work'))
    .map(r => { const b = r.getBBox(); return Math.round(b.x) + '+' + Math.round(b.width); })
    .join('&')).join(',');
out['text_equivalent'] = (document.getElementById('relay-text') || {textContent: ''})
  .textContent.replace(/\\s+/g, ' ').trim();
out['alerts'] = window.__alerts;
out['errors'] = window.__errors.length;
out['scripts'] = document.scripts.length;
out['hostile_images'] = document.querySelectorAll('img').length;
out['titles'] = Array.from(document.querySelectorAll('.card .title-text'))
  .map(t => t.textContent).join('|');
return out;
"""


def alert_open():
    try:
        driver.switch_to.alert
        return 1
    except NoAlertPresentException:
        return 0


def visit(name, path, shot):
    driver.get("file://" + os.path.join(site, path))
    facts = driver.execute_script(COLLECT)
    facts["alert_dialog"] = alert_open()
    driver.save_screenshot(os.path.join(shots, shot))
    for key in sorted(facts):
        print("%s.%s %s" % (name, key, facts[key]))


def console_errors():
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


try:
    visit("index", "index.html", "index.png")
    for member in ("alice", "bob", "kenji"):
        visit(member, "member/%s.html" % member, "member-%s.png" % member)
    visit("task2", "task/2.html", "task-2.png")
    driver.get("file://" + os.path.join(site, "task/2.html"))
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('tr.event')).map(r => r.getAttribute('data-kind')).join(',')")
    print("task2.history %s" % rows)
    # The script's improvement: the member links filter in place.
    driver.get("file://" + os.path.join(site, "index.html"))
    driver.find_element("css selector", 'nav a[data-member="bob"]').click()
    facts = driver.execute_script(COLLECT)
    print("filtered.url %s" % os.path.basename(driver.current_url))
    print("filtered.cards %s" % ",".join(
        v for k, v in sorted(facts.items()) if k.startswith("column.") and v))
    # The same picture in dark mode and in print.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.get("file://" + os.path.join(site, "index.html"))
    print("dark.background %s" % driver.execute_script(
        "return getComputedStyle(document.body).backgroundColor"))
    driver.save_screenshot(os.path.join(shots, "index-dark.png"))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print", "features": []})
    print("print.nav_display %s" % driver.execute_script(
        "return getComputedStyle(document.querySelector('nav')).display"))
    driver.save_screenshot(os.path.join(shots, "index-print.png"))
    print("console.severe %d" % len(console_errors()))
    for entry in console_errors():
        print("# console: %s" % json.dumps(entry)[:300])
finally:
    driver.quit()
