"""An XSS payload corpus, posted through the real services and rendered in Chromium.

Each payload is posted as a post (and a thread title), and as a space's name and
guidelines, by dialogue/services.py; the thread pages, the space pages, the guidelines
pages and the search results are then opened in headless Chromium. The page is
instrumented before any of its own scripts run: `window.__xss()` (which every payload
that can call anything calls) and alert/confirm/prompt record a hit, dialogs are
recorded, and page errors and CSP violations are collected. After each load the DOM is
checked: no `on*` attribute anywhere, no javascript:/data:/vbscript: URL in a link,
source or form, no script carrying a payload, and nothing but plain formatting inside
user content (no htmx attribute, no style, no SVG, MathML, form or media element).

The same corpus goes through `render_markdown` at unit level.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import SimpleTestCase, tag

from alongside.dialogue import services
from alongside.dialogue.models import MemberTrust, Space, Thread
from alongside.dialogue.tests.helpers import establish
from alongside.lib.markdown import ALLOWED_TAGS, render_markdown
from alongside.organizations.models import Membership, Role
from alongside.test import BrowserTestCase, make_member, make_organization

SEARCH_WORD = "xsscorpus"
_DATA_HTML = base64.b64encode(b"<script>parent.__xss(15)</script>").decode()

PAYLOADS: list[str] = [
    # Script tags.
    "<script>__xss(1)</script>",
    "<SCRIPT SRC=data:text/javascript,__xss(2)></SCRIPT>",
    "<scr<script>ipt>__xss(3)</scr</script>ipt>",
    "<template><script>__xss(4)</script></template>",
    "<svg><script>__xss(5)</script></svg>",
    # Event handlers.
    "<img src=x onerror=__xss(6)>",
    "<svg onload=__xss(7)>",
    "<body onload=__xss(8)>",
    "<details open ontoggle=__xss(9)>x</details>",
    "<input autofocus onfocus=__xss(10)>",
    "<video><source onerror=__xss(11)></video>",
    '<a href="#" onclick="__xss(12)">click</a>',
    "<img src=x onerror&#61;__xss(13)>",
    "<svg><animate onbegin=__xss(14) attributeName=x dur=1s>",
    # javascript:, data: and vbscript: links and images, in HTML and in Markdown.
    f"[click](data:text/html;base64,{_DATA_HTML})",
    "[click](javascript:__xss(16))",
    "[click](JaVaScRiPt:__xss(17))",
    "[click](javascript&#58;__xss(18))",
    "[click](&#x6A;avascript:__xss(19))",
    "[click](vbscript:msgbox(20))",
    "![img](javascript:__xss(21))",
    '![img](x" onerror="__xss(22))',
    '[a](https://example.org "t\\" onmouseover=\\"__xss(23)")',
    '<a href="javascript:__xss(24)">x</a>',
    '<a href="jav&#x09;ascript:__xss(25)">x</a>',
    "[x](java\u200bscript:__xss(26))",
    "[![img](x)](javascript:__xss(27))",
    "<javascript:__xss(28)>",
    '<https://example.org/"onmouseover="__xss(29)>',
    "[ref][1]\n\n[1]: javascript:__xss(30)",
    '<iframe src="javascript:__xss(31)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss(32)</script>"></iframe>',
    '<object data="javascript:__xss(33)"></object>',
    '<embed src="javascript:__xss(34)">',
    '<form><button formaction="javascript:__xss(35)">x</button></form>',
    '<base href="javascript:__xss(36)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss(37)">',
    # SVG and MathML tricks, mutation XSS.
    '<svg><a xlink:href="javascript:__xss(38)"><text x="20" y="20">x</text></a></svg>',
    '<math href="javascript:__xss(39)">CLICK</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(40)>",
    '<noscript><p title="</noscript><img src=x onerror=__xss(41)>">',
    '<!--<img src="--><img src=x onerror=__xss(42)//">',
    # HTML entities and Unicode.
    "&lt;script&gt;__xss(43)&lt;/script&gt;",
    "\uff1cscript\uff1e__xss(44)\uff1c/script\uff1e",
    '<a href="\u2028javascript:__xss(45)">x</a>',
    '<img src="x\n" onerror="__xss(46)">',
    # Attribute and element breakouts.
    '"><script>__xss(47)</script>',
    "'><img src=x onerror=__xss(48)>",
    "</textarea><script>__xss(49)</script>",
    "</title><script>__xss(50)</script>",
    '@alice-ally"><img src=x onerror=__xss(51)>',
    # Template syntax: shown as typed, never evaluated.
    "{{ 7|add:42 }} {% debug %} ${__xss(52)} {{constructor.constructor('__xss(52)')()}}",
    # htmx attributes.
    '<div hx-get="/accounts/logout/" hx-trigger="load">x</div>',
    '<div hx-on:htmx:load="__xss(54)" hx-on="click: __xss(54)">x</div>',
    '<form hx-post="/accounts/logout/" hx-trigger="load"><button>go</button></form>',
    # CSS injection.
    '<style>body{background:url("javascript:__xss(56)")}</style>',
    '<p style="background:url(javascript:__xss(57))">x</p>',
    '<div style="width:expression(__xss(58))">x</div>',
    '<link rel=stylesheet href="data:text/css,body{display:none}">',
    # Code spans and blocks keep their content as text.
    "`<script>__xss(60)</script>`",
    "```html\n<script>__xss(61)</script>\n```",
]

# Instrumentation, installed before any script of the page runs.
TRAP = """
window.__xssHits = [];
window.__xss = (n) => { window.__xssHits.push(String(n)); };
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xssHits.push(name + ":" + args.join(",")); };
}
"""
# Everything wrong with the DOM as a list of strings (empty when clean).
DOM_CHECK = r"""
() => {
  const bad = [];
  const strip = (v) => v.replace(/[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g, "").toLowerCase();
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data",
                    "background", "poster", "srcset", "codebase", "cite", "ping"];
  const describe = (el, a) => `<${el.tagName.toLowerCase()} ${a.name}="${a.value.slice(0, 80)}">`;
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on")) bad.push("event handler " + describe(el, a));
      if (name === "srcdoc") bad.push("srcdoc " + describe(el, a));
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data):/.test(strip(a.value))) {
        bad.push("script URL " + describe(el, a));
      }
      if ((name.startsWith("hx-") || name.startsWith("data-hx-")) &&
          (a.value.includes("__xss") || a.value.includes("logout"))) {
        bad.push("injected htmx " + describe(el, a));
      }
    }
  }
  for (const s of document.querySelectorAll("script")) {
    if ((s.textContent || "").includes("__xss") || (s.src || "").includes("__xss")) {
      bad.push("payload script: " + s.outerHTML.slice(0, 120));
    }
  }
  const plain = new Set(__ALLOWED__);
  for (const el of document.querySelectorAll(".user-content *")) {
    const tag = el.tagName.toLowerCase();
    if (!plain.has(tag)) bad.push("element in user content: <" + tag + ">");
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name === "style" || name.startsWith("hx-") || name.startsWith("data-")) {
        bad.push("attribute in user content " + describe(el, a));
      }
    }
  }
  return bad;
}
""".replace("__ALLOWED__", json.dumps(sorted(ALLOWED_TAGS)))

NEXT_LINK = 'a[rel="next"]'


def _squash(text: str) -> str:
    return " ".join(text.split())


@tag("browser")
class XssCorpusBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dialogs: list[str] = []
        self.hits_seen: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.add_init_script(TRAP)

    def visit(self, path: str) -> None:
        """Open `path` and let anything that would fire on load or focus fire."""
        response = self.page.goto(self.url(path))
        self.assertIsNotNone(response)
        self.assertEqual(response.status, 200, path)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)
        self.check_clean(path)

    def check_clean(self, where: str) -> None:
        hits = self.page.evaluate("window.__xssHits")
        self.assertEqual(hits, [], f"payload script ran on {where}: {hits}")
        self.assertEqual(self.dialogs, [], f"dialog opened on {where}")
        bad = self.page.evaluate(DOM_CHECK)
        self.assertEqual(bad, [], f"unsafe DOM on {where}")
        problems = [
            e
            for e in self.console_errors
            if "Content Security Policy" in e or "__xss" in e or "Uncaught" in e
        ]
        self.assertEqual(problems, [], f"errors on {where}")

    def walk(self, path: str) -> int:
        """Visit `path` and each later page (by the `after` cursor of its rel=next
        link, kept with the page's own query); the number of pages seen."""
        pages = 0
        while True:
            self.visit(path)
            pages += 1
            following = self.page.locator(NEXT_LINK)
            if not following.count():
                return pages
            href = following.first.get_attribute("href") or ""
            cursor = parse_qs(urlsplit(href).query.lstrip("?")).get("after")
            self.assertTrue(cursor, f"no cursor in the next link {href!r}")
            parts = urlsplit(path)
            query = {k: v for k, v in parse_qs(parts.query).items() if k != "after"}
            query["after"] = cursor or []
            path = f"{parts.path}?{urlencode(query, doseq=True)}"

    def test_no_payload_runs_anywhere(self) -> None:
        org = make_organization("Northwind Collective", slug="northwind")
        paula = make_member(
            org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        alice = make_member(org, email="alice@example.org", display_name="Alice Ally")
        # A leader is past every trust gate and rate limit, so all payloads publish.
        establish(org, paula, alice, level=MemberTrust.Level.LEADER)
        membership = Membership.objects.of(paula, org).get()
        corpus = services.space_create(
            organization=org,
            membership=membership,
            name="Corpus",
            description="",
            guidelines="Be kind.",
            circle=None,
        )
        services.guidelines_accept(corpus, paula)
        payload_spaces: list[Space] = []
        threads: list[Thread] = []
        for payload in PAYLOADS:
            space = services.space_create(
                organization=org,
                membership=membership,
                name=payload[:100],
                description="",
                guidelines=payload,
                circle=None,
            )
            payload_spaces.append(space)
            post = services.thread_start(
                space=corpus,
                author=paula,
                title=payload.replace("\n", " ")[:140],
                body=f"{payload}\n\n{SEARCH_WORD}",
            )
            threads.append(post.thread)
        # A reply to the first thread with every payload at once.
        services.reply(thread=threads[0], author=paula, body="\n\n".join(PAYLOADS))

        self.log_in("alice@example.org")
        self.check_clean("the log-in")

        # Each thread page: the title as the heading, the payload as the post.
        for payload, thread in zip(PAYLOADS, threads, strict=True):
            self.visit(thread.get_absolute_url())
            heading = self.page.get_by_role("heading", level=1).text_content() or ""
            self.assertEqual(
                _squash(heading), _squash(payload.replace("\n", " ")[:140])
            )
        # The thread list of the space, with every title.
        self.assertGreater(self.walk(corpus.get_absolute_url()), 1)
        # The list of spaces, every space's page and its guidelines.
        self.visit(f"/o/{org.slug}/spaces/")
        for payload, space in zip(PAYLOADS, payload_spaces, strict=True):
            self.visit(space.get_absolute_url())
            heading = self.page.get_by_role("heading", level=1).text_content() or ""
            self.assertEqual(_squash(heading), _squash(payload[:100]))
            self.visit(f"/o/{org.slug}/spaces/{space.pk}/guidelines/")
        # Search results: every post matches the word.
        pages = self.walk(f"/o/{org.slug}/spaces/search/?q={SEARCH_WORD}")
        self.assertGreaterEqual(pages, len(PAYLOADS) // 20)
        self.assertEqual(self.dialogs, [])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
_INVISIBLE = re.compile(
    r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]"
)


class XssCorpusMarkdownTestCase(SimpleTestCase):
    """render_markdown over the corpus: no script, no handler, no script URL in any tag
    (payload text may still show as escaped text, which is harmless)."""

    def test_corpus_renders_inert(self) -> None:
        self.assertGreaterEqual(len(PAYLOADS), 40)
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                html = str(render_markdown(payload))
                self.assertNotRegex(html, r"(?i)<\s*script")
                # The tags with their (double-quoted, escaped) attribute values
                # blanked: what is left are tag and attribute names.
                markup = re.sub(r'"[^"]*"', '""', "".join(re.findall(r"<[^>]*>", html)))
                self.assertNotRegex(markup, r"(?i)\son\w+\s*=")
                self.assertNotRegex(markup, r"(?i)javascript:|vbscript:|data:")
                parser = _Tags()
                parser.feed(html)
                for name, attrs in parser.tags:
                    self.assertIn(name, ALLOWED_TAGS)
                    for attr, value in attrs:
                        self.assertFalse(attr.lower().startswith("on"), attr)
                        self.assertNotIn(attr.lower(), {"style", "srcdoc"})
                        self.assertFalse(attr.lower().startswith("hx-"), attr)
                        self.assertIsNone(
                            _SCHEME.match(_INVISIBLE.sub("", value or "")),
                            f"{attr}={value!r}",
                        )

    def test_the_checks_catch_an_unsafe_rendering(self) -> None:
        """The assertions above fail on what an unsanitized renderer would produce."""
        unsafe = '<p><a href="java\u200bscript:x()" onclick="x()">x</a></p>'
        parser = _Tags()
        parser.feed(unsafe)
        (_p, _), (_a, attrs) = parser.tags
        self.assertTrue(any(a.startswith("on") for a, _v in attrs))
        href = dict(attrs)["href"] or ""
        self.assertIsNotNone(_SCHEME.match(_INVISIBLE.sub("", href)))

    def test_template_syntax_stays_text(self) -> None:
        html = str(render_markdown("{{ 7|add:42 }} {% debug %}"))
        self.assertIn("{{ 7|add:42 }}", html)
        self.assertIn("{% debug %}", html)
