"""The interactive HTML export: selection rules in Python, then the real page in headless Chromium.

Browser tests FAIL when Chromium or chromedriver is missing (CI must not skip them silently); set
PAPER_KG_SKIP_BROWSER=1 to skip them on purpose. Screenshots go to the test's tmp_path, and also to
$PAPER_KG_SCREENSHOTS when set.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg.errors import NotFound
from kg.graph import build_graph
from kg.keys import entity_node_id, name_key
from kg.model import ENTITY, PAPER, SHARES_ENTITIES, EntityRef, Mention, Paper, PaperEntities
from kg.query.subgraph import select_subgraph
from loaders.html import write_html

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402  (tests/browser.py, the Chromium helper)

ROOT = Path(__file__).resolve().parents[1]

# Each payload flips window.__pwned (and opens an alert) if it is ever run as markup or script.
XSS_TITLES = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>",
              '<img src=x onerror="window.__pwned=1;alert(1)">', "<script>window.__pwned=2;alert(2)</script>"]
XSS_ENTITY = "</script><script>window.__pwned=3</script><!--"
XSS_ALIAS = "<svg onload=window.__pwned=4>\u2028\u2029"
XSS_SENTENCE = "<b onmouseover=window.__pwned=5>bold</b> & <iframe src=javascript:window.__pwned=6>"
XSS_URL = "javascript:window.__pwned=7"
XSS_PAGE_TITLE = "<script>window.__pwned=8</script>"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def seed_graph(tmp_path_factory):
    """The graph of the seed files, built from scratch."""
    from kg.build import build

    graph, _ = build([ROOT / "seeds"], tmp_path_factory.mktemp("seed-build"))
    return graph


@pytest.fixture(scope="session")
def xss_graph():
    """Papers and entities whose every text field is an injection attempt."""
    def mention(text: str) -> Mention:
        return Mention(text=text, field="abstract", start=0, end=len(text), sentence=XSS_SENTENCE, rule="test",
                       confidence=0.9)

    shared = EntityRef(id=entity_node_id(name_key(XSS_ENTITY)), name=XSS_ENTITY, type="model", role="proposes",
                       confidence=0.9, mentions=[mention("shared")], aliases=[XSS_ALIAS])
    corpus = []
    for i, title in enumerate(XSS_TITLES):
        paper = Paper(id=f"xss{i}", title=title, abstract=XSS_SENTENCE, year=2024, authors=[title, "A. Author"],
                      url=XSS_URL if i % 2 else "https://example.org/paper?a=1&b=<2>")
        own = EntityRef(id=entity_node_id(f"own{i}"), name=f"{title} method", type="method", role="uses",
                        confidence=0.8, mentions=[mention(title)])
        role = "proposes" if i == 0 else "uses"
        corpus.append(PaperEntities(paper, [replace(shared, role=role), own]))
    return build_graph(corpus)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """Headless Chromium (fresh profile, console log captured); a clear failure when it is missing."""
    if os.environ.get("PAPER_KG_SKIP_BROWSER") == "1":
        pytest.skip("PAPER_KG_SKIP_BROWSER=1")
    try:
        chrome = browser.start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    except Exception as exc:  # missing binary, driver or selenium: fail loudly, never skip
        pytest.fail(f"cannot start headless Chromium: {exc}", pytrace=False)
    yield chrome
    chrome.quit()


def load(driver, page: Path) -> list[dict]:
    """Open the page, wait for the layout to settle, and return the console log so far."""
    driver.get_log("browser")  # drop entries from earlier pages
    seconds = browser.open_page(driver, page)
    assert seconds < 30, f"layout took {seconds:.1f}s"
    return driver.get_log("browser")


def save_screenshot(driver, tmp_path: Path, name: str) -> Path:
    png = tmp_path / f"{name}.png"
    driver.save_screenshot(str(png))
    if os.environ.get("PAPER_KG_SCREENSHOTS"):
        target = Path(os.environ["PAPER_KG_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, target / png.name)
    return png


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def top_entity(graph) -> tuple[str, dict]:
    return max(((n, d) for n, d in graph.nodes(data=True) if d["kind"] == ENTITY),
               key=lambda item: (item[1]["paper_count"], item[1]["name"]))


def no_alert(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert  # noqa: B018 (the property raises when no alert is open)
    except NoAlertPresentException:
        return True
    return False


def hover_node(driver, node_id: str) -> None:
    """Move the real mouse onto a node (vis-network shows its tooltip after the hover delay)."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", "#kg-network canvas")
    x, y = js(driver, "var p = kg.network.canvasToDOM(kg.network.getPositions([arguments[0]])[arguments[0]]);"
                      "return [p.x, p.y];", node_id)
    ActionChains(driver).move_to_element_with_offset(canvas, 0, 0).perform()
    ActionChains(driver).move_to_element_with_offset(canvas, round(x - canvas.size["width"] / 2),
                                                     round(y - canvas.size["height"] / 2)).perform()


# ---------------------------------------------------------------- selection (no browser)


def test_whole_graph_fits_budget_and_accounts_for_everything(seed_graph):
    selection = select_subgraph(seed_graph, max_nodes=300)
    assert selection.graph.number_of_nodes() <= 300
    assert selection.papers + selection.papers_omitted == selection.total_papers
    assert selection.entities + selection.entities_omitted == selection.total_entities
    assert top_entity(seed_graph)[0] in selection.graph, "the most connected entity must survive trimming"
    assert any("max_nodes=300" in reason for reason in selection.omitted), "the seed graph is over budget"
    for node, attrs in selection.graph.nodes(data=True):  # no paper floats without its entities
        if attrs["kind"] == PAPER:
            assert any(selection.graph.nodes[m]["kind"] == ENTITY for m in selection.graph.successors(node))


def test_max_nodes_trims_and_reports(seed_graph):
    selection = select_subgraph(seed_graph, max_nodes=40)
    assert 30 <= selection.graph.number_of_nodes() <= 40
    reason = next(r for r in selection.omitted if "max_nodes=40" in r)
    assert selection.omitted[reason]["papers"] + selection.omitted[reason]["entities"] > 0
    assert "max_nodes=40" in selection.summary() and "Left out" in selection.summary()
    assert selection.left_out_top, "the summary names the most connected entities left out"


def test_focus_entity_neighbourhood(seed_graph):
    name, data = top_entity(seed_graph)
    selection = select_subgraph(seed_graph, focus=data["name"].lower(), depth=1, max_nodes=1000)
    assert selection.focus[0] == name
    papers = {p for p in seed_graph.predecessors(name) if seed_graph.nodes[p]["kind"] == PAPER}
    assert papers <= set(selection.graph)
    assert selection.papers == len(papers | {p for v in selection.focus for p in seed_graph.predecessors(v)
                                             if seed_graph.nodes[p]["kind"] == PAPER})
    assert any("hop" in reason for reason in selection.omitted)


def test_focus_paper_and_filters(seed_graph):
    paper = next(n for n, d in seed_graph.nodes(data=True) if d["kind"] == PAPER and seed_graph.out_degree(n) > 2)
    title = seed_graph.nodes[paper]["title"]
    selection = select_subgraph(seed_graph, focus=title.upper(), types={"model", "method"}, min_papers=1)
    assert paper in selection.graph
    assert {d["type"] for _, d in selection.graph.nodes(data=True) if d["kind"] == ENTITY} <= {"model", "method"}
    strict = select_subgraph(seed_graph, min_papers=3, max_nodes=10_000, shared_links=None)
    assert all(d["paper_count"] >= 3 for _, d in strict.graph.nodes(data=True) if d["kind"] == ENTITY)
    assert any("fewer than 3 papers" in reason for reason in strict.omitted)


def test_unknown_focus_raises_not_found(seed_graph):
    name, data = top_entity(seed_graph)
    with pytest.raises(NotFound) as err:
        select_subgraph(seed_graph, focus=data["name"] + "zz")
    assert data["name"] in err.value.suggestions
    with pytest.raises(ValueError):
        select_subgraph(seed_graph, types={"planet"})


def test_shared_links_keep_strongest(seed_graph):
    full = select_subgraph(seed_graph, max_nodes=10_000, shared_links=None)
    pruned = select_subgraph(seed_graph, max_nodes=10_000, shared_links=2)
    shared = [(u, v) for u, v, k in full.graph.edges(keys=True) if k == SHARES_ENTITIES]
    kept = [(u, v) for u, v, k in pruned.graph.edges(keys=True) if k == SHARES_ENTITIES]
    assert 0 < len(kept) < len(shared)
    assert pruned.links_omitted == len(shared) - len(kept)
    heaviest = max((e for e in full.graph.edges(keys=True, data=True) if e[2] == SHARES_ENTITIES),
                   key=lambda e: e[3]["weight"])
    assert heaviest[:2] in kept


def test_page_is_offline_and_escaped(xss_graph, tmp_path):
    report = write_html(xss_graph, tmp_path / "sub" / "xss.html", title=XSS_PAGE_TITLE)
    page = report.path.read_text("utf-8")
    assert report.path.exists() and not list(report.path.parent.glob(".*.tmp")), "written atomically"
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I), "no remote resources"
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis|bootstrap", page, re.I)
    for raw in [*XSS_TITLES, XSS_ENTITY, XSS_ALIAS, XSS_SENTENCE, XSS_PAGE_TITLE, "\u2028"]:
        assert raw not in page, f"unescaped input in the page: {raw!r}"
    data = page.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and "\u2028" not in data


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_seed_page_loads_offline_without_errors(driver, seed_graph, tmp_path):
    selection = select_subgraph(seed_graph)
    report = write_html(selection, tmp_path / "graph.html", title="paper-kg seeds")
    log = load(driver, report.path)
    save_screenshot(driver, tmp_path, "seed-graph")
    errors = [entry for entry in log if entry["level"] in ("SEVERE", "ERROR")]
    assert not errors, f"console errors: {errors}"
    counts = js(driver, "var d = kg.network.body.data; return [d.nodes.length, d.edges.length];")
    assert counts == [report.nodes, report.edges]
    assert counts == [selection.graph.number_of_nodes(), selection.graph.number_of_edges()]
    assert js(driver, "return kg.network.physics.options.enabled") is False, "physics stops after stabilization"
    resources = js(driver, "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert all(r.startswith(("file:", "data:")) for r in resources), resources
    legend = driver.find_element("id", "kg-legend").text
    for label in ("Paper", "Model", "Method", "Dataset", "Benchmark", "Task", "uses", "builds on"):
        assert label in legend
    omitted = driver.find_element("id", "kg-omitted")
    assert omitted.is_displayed() == bool(selection.omitted)
    if selection.omitted:
        assert "max_nodes=300" in omitted.text or "Left out" in omitted.text
    # Nodes are styled per kind: distinct shapes and colours.
    styles = js(driver, "var s = {}; kg.nodes.forEach(function (n) { s[n.kg.kind] = [n.shape, n.color.background]; });"
                        "return s;")
    assert len({tuple(v) for v in styles.values()}) == len(styles) >= 4


@pytest.mark.browser
def test_search_selects_and_focuses_node(driver, seed_graph, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    selection = select_subgraph(seed_graph)
    report = write_html(selection, tmp_path / "graph.html")
    load(driver, report.path)
    target = sorted((n for n, d in selection.graph.nodes(data=True) if d["kind"] == ENTITY),
                    key=lambda n: (-selection.graph.in_degree(n), n))[5]
    name = selection.graph.nodes[target]["name"]
    box = driver.find_element("id", "kg-search")
    box.send_keys(name.lower())
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: js(d, "return kg.network.getSelectedNodes()") == [target])

    def centred(d) -> bool:
        view = js(d, "return kg.network.getViewPosition()")
        pos = js(d, "return kg.network.getPositions([arguments[0]])[arguments[0]]", target)
        return math.dist((view["x"], view["y"]), (pos["x"], pos["y"])) < 2

    WebDriverWait(driver, 5).until(centred)
    details = driver.find_element("id", "kg-details")
    assert details.is_displayed() and name in details.text
    # neighbours stay bright, the rest is dimmed
    near = set(js(driver, "return kg.network.getConnectedNodes(arguments[0])", target)) | {target}
    dimmed = set(js(driver, "return kg.nodes.getIds("
                            "{filter: function (n) { return n.color.background === '#e4e7eb'; }})"))
    assert dimmed and not dimmed & near and len(dimmed | near) == report.nodes
    options = js(driver, "return Array.from(document.querySelectorAll('#kg-names option')).map(o => o.value)")
    assert name in options and len(options) == report.nodes
    box.clear()
    box.send_keys("zzzz-no-such-thing", Keys.ENTER)
    assert driver.find_element("id", "kg-search-msg").text == "No match"
    save_screenshot(driver, tmp_path, "search")


@pytest.mark.browser
def test_click_highlights_and_background_resets(driver, seed_graph, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    target, data = top_entity(seed_graph)
    report = write_html(select_subgraph(seed_graph, focus=data["name"]), tmp_path / "focus.html")
    load(driver, report.path)
    assert js(driver, "return kg.selected") == target, "a focus view opens with the focus selected"
    js(driver, "kg.network.unselectAll(); kg.network.fit({animation: false});")
    hover_node(driver, target)
    ActionChains(driver).click().perform()
    WebDriverWait(driver, 5).until(lambda d: js(d, "return kg.selected") == target)
    canvas = driver.find_element("css selector", "#kg-network canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, -canvas.size["width"] // 2 + 3,
                                                     canvas.size["height"] // 2 - 3).click().perform()
    WebDriverWait(driver, 5).until(lambda d: js(d, "return kg.selected") is None)


@pytest.mark.browser
def test_injected_text_renders_as_text(driver, xss_graph, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    report = write_html(xss_graph, tmp_path / "xss.html", title=XSS_PAGE_TITLE)
    log = load(driver, report.path)
    assert no_alert(driver), "an alert opened"
    assert js(driver, "return typeof window.__pwned") == "undefined"
    assert driver.title == XSS_PAGE_TITLE
    assert driver.find_element("css selector", "header h1").text == XSS_PAGE_TITLE
    injected = "img, iframe, [onerror], [onload], [onmouseover]"
    assert js(driver, "return document.querySelectorAll(arguments[0]).length", injected) == 0
    assert not [e for e in log if e["level"] == "SEVERE"], log
    assert js(driver, "return kg.network.body.data.nodes.length") == report.nodes == xss_graph.number_of_nodes()

    for i, title in enumerate(XSS_TITLES):
        node = f"paper:xss{i}"
        assert js(driver, "return kg.nodes.get(arguments[0]).title.textContent", node).startswith(title)
        js(driver, "kg.focusNode(arguments[0], false)", node)
        details = driver.find_element("id", "kg-details")
        assert title in details.text and XSS_ENTITY in details.text
        hrefs = js(driver, "return Array.from(document.querySelectorAll('#kg-details a')).map(a => a.href)")
        assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == (0 if i % 2 else 1)

    # a real hover shows the tooltip as text, not markup
    js(driver, "kg.network.unselectAll(); kg.network.focus('paper:xss0', {scale: 1.5, animation: false});")
    hover_node(driver, "paper:xss0")
    tooltip = "var t = document.querySelector('div.vis-tooltip');"
    WebDriverWait(driver, 5).until(lambda d: js(d, tooltip + "return !!t && t.style.visibility !== 'hidden'"))
    text, markup = js(driver, tooltip + "return [t.textContent, t.querySelectorAll('img, script, svg').length]")
    assert XSS_TITLES[0] in text and markup == 0
    edge_tip = js(driver, "return kg.edges.get({filter: function (e) { return !!e.kg.role; }})[0].title.textContent")
    assert XSS_SENTENCE in edge_tip
    save_screenshot(driver, tmp_path, "xss")
    assert no_alert(driver) and js(driver, "return typeof window.__pwned") == "undefined"


@pytest.mark.browser
def test_trimmed_page_says_what_was_left_out(driver, seed_graph, tmp_path):
    selection = select_subgraph(seed_graph, max_nodes=40)
    report = write_html(selection, tmp_path / "small.html")
    assert report.omitted == selection.omitted and "max_nodes=40" in report.summary
    load(driver, report.path)
    banner = driver.find_element("id", "kg-omitted")
    assert banner.is_displayed()
    assert "max_nodes=40" in banner.text
    assert f"Left out {selection.papers_omitted} papers, {selection.entities_omitted} entities" in banner.text
    assert js(driver, "return kg.network.body.data.nodes.length") == report.nodes == selection.graph.number_of_nodes()
    save_screenshot(driver, tmp_path, "trimmed")
