"""The accessibility statement (tillgänglighetsredogörelse) that the Swedish law on accessible
digital public services (DOS-lagen, 2018:1937) asks of a public body's web service, intranets
included: how far the service conforms to WCAG 2.1 AA, what is known not to, how it was
assessed, and how to report a problem. The operator-specific parts (who offers the service,
where to report) come from settings; the rest describes this software and is kept true by
the browser tests (``tests/test_ui_a11y.py``).

Served at ``STATEMENT_PATH`` without a login, like any public notice; ``?lang=en`` gives it in English.
"""

from __future__ import annotations

import html

from rag import __version__
from rag.product.web.messages import LANGS

STATEMENT_PATH = "/tillganglighet"
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"

_TEXT = {
    "sv": {
        "title": "Tillgänglighetsredogörelse",
        "intro": "{operator} erbjuder den här tjänsten, som besvarar frågor med citat ur rapporten «Från insikt "
        "till handling». Vi vill att alla ska kunna använda den. Här beskriver vi hur tjänsten uppfyller lagen "
        "(2018:1937) om tillgänglighet till digital offentlig service, vilka brister vi känner till och hur du "
        "rapporterar problem till oss.",
        "unnamed": "Den organisation som driver tjänsten (namnet är inte angivet, RAG_OPERATOR_NAME)",
        "status_head": "Hur tillgänglig är tjänsten?",
        "status": "Tjänsten är delvis förenlig med lagen om tillgänglighet till digital offentlig service, på "
        "grund av bristerna som beskrivs nedan. Målet är nivå AA i WCAG 2.1 (EN 301 549).",
        "gaps_head": "Kända brister",
        "gaps": [
            "Rapportens text kommer från OCR-läsning av en PDF. Tjänsten rättar det mesta, men en del felstavade "
            "ord finns kvar i citaten; en skärmläsare läser dem som de står.",
            "Inloggningsformuläret och sidfoten kommer från ramverket Gradio: deras texter följer webbläsarens "
            "språk, och korta meddelanden i hörnet har rubriken «Warning».",
            "När sidan visas på engelska är utkastets meddelanden och valet «Hela rapporten» fortfarande på "
            "svenska; promemorian skrivs alltid på svenska.",
            "Exporterade Word- och Markdown-filer är inte granskade med skärmläsare.",
            "Tjänsten är testad automatiskt men inte tillsammans med användare av skärmläsare eller annan "
            "hjälpmedelsteknik. Automatiska tester hittar bara en del av alla brister.",
        ],
        "assessed_head": "Hur vi har testat tjänsten",
        "assessed": "Självskattning: varje version av programmet (den här är version {version}) testas "
        "automatiskt med axe-core mot reglerna i WCAG 2.1 A och AA i webbläsaren Chromium, i ljust och mörkt "
        "läge, i datorbredd och mobilbredd, och hela flödet prövas med enbart tangentbord.",
        "report_head": "Rapportera brister eller be om innehållet i annan form",
        "contact": "Kontakta oss: {contact}. Berätta vad du försökte göra och vad som inte fungerade.",
        "no_contact": "Den som driver tjänsten har ännu inte angett någon kontaktväg (RAG_ACCESSIBILITY_CONTACT). "
        "Fråga din organisations IT-stöd tills vidare.",
        "oversight_head": "Tillsyn",
        "oversight": "Myndigheten för digital förvaltning (Digg) har tillsyn över lagen. Om du inte är nöjd med "
        "hur vi hanterar dina synpunkter kan du anmäla det till Digg: {url}.",
        "back": "Tillbaka till tjänsten",
        "other": "In English",
    },
    "en": {
        "title": "Accessibility statement",
        "intro": "{operator} offers this service, which answers questions with quotes from the report «Från "
        "insikt till handling». We want everyone to be able to use it. This statement describes how the "
        "service meets the Swedish law on accessible digital public services (2018:1937), the problems we "
        "know of, and how to report a problem to us.",
        "unnamed": "The organisation running this service (not named yet, RAG_OPERATOR_NAME)",
        "status_head": "How accessible is the service?",
        "status": "The service partially complies with the law on accessible digital public services because "
        "of the problems described below. The aim is level AA of WCAG 2.1 (EN 301 549).",
        "gaps_head": "Known problems",
        "gaps": [
            "The report's text comes from OCR of a PDF. The service corrects most of it, but some misspelt "
            "words remain in the quotes; a screen reader reads them as they stand.",
            "The login form and the footer come from the Gradio framework: their texts follow the browser's "
            "language, and short messages in the corner are headed «Warning».",
            "With the page in English, the draft's messages and the choice «Hela rapporten» are still in "
            "Swedish; the memo is always written in Swedish.",
            "Exported Word and Markdown files have not been reviewed with screen readers.",
            "The service is tested automatically but not with users of screen readers or other assistive "
            "technology. Automatic tests find only some problems.",
        ],
        "assessed_head": "How we tested the service",
        "assessed": "Self-assessment: every version of the software (this is version {version}) is tested "
        "automatically with axe-core against the WCAG 2.1 A and AA rules in the Chromium browser, in light and "
        "dark mode, at desktop and phone width, and the whole flow is run with the keyboard only.",
        "report_head": "Report a problem or ask for the content in another form",
        "contact": "Contact us: {contact}. Tell us what you tried to do and what did not work.",
        "no_contact": "The operator has not named a contact yet (RAG_ACCESSIBILITY_CONTACT). Ask your "
        "organisation's IT support meanwhile.",
        "oversight_head": "Oversight",
        "oversight": "The Agency for Digital Government (Digg) oversees the law. If you are not satisfied with "
        "how we handle your report, you can report it to Digg: {url}.",
        "back": "Back to the service",
        "other": "På svenska",
    },
}


def _contact_html(contact: str) -> str:
    """An e-mail address or a web address as a link; anything else as text."""
    shown = html.escape(contact)
    if "@" in contact and " " not in contact and not contact.startswith(("http://", "https://")):
        return '<a href="mailto:{0}">{0}</a>'.format(shown)
    if contact.startswith(("http://", "https://")):
        return '<a href="{0}">{0}</a>'.format(shown)
    return shown


def statement_html(settings, lang: str = "sv", root: str = "./") -> str:
    """The whole statement page in ``lang`` ("sv" or "en"; anything else gives Swedish)."""
    lang = lang if lang in LANGS else "sv"
    t = _TEXT[lang]
    operator = html.escape(settings.operator_name) if settings.operator_name else html.escape(t["unnamed"])
    contact = settings.accessibility_contact.strip()
    report = t["contact"].format(contact=_contact_html(contact)) if contact else html.escape(t["no_contact"])
    digg = '<a href="{0}">{0}</a>'.format(DIGG_REPORT_URL)
    other = "en" if lang == "sv" else "sv"
    gaps = "".join("<li>{}</li>".format(html.escape(g)) for g in t["gaps"])
    return """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body><main>
<p><a href="{root}">{back}</a> · <a href="{path}?lang={other}" lang="{other}" hreflang="{other}">{other_label}</a></p>
<h1>{title}</h1>
<p>{intro}</p>
<h2>{status_head}</h2><p>{status}</p>
<h2>{gaps_head}</h2><ul>{gaps}</ul>
<h2>{report_head}</h2><p>{report}</p>
<h2>{oversight_head}</h2><p>{oversight}</p>
<h2>{assessed_head}</h2><p>{assessed}</p>
</main></body></html>
""".format(
        lang=lang, title=html.escape(t["title"]), css=STATEMENT_CSS, root=html.escape(root), back=html.escape(t["back"]),
        path=STATEMENT_PATH, other=other, other_label=html.escape(t["other"]),
        intro=html.escape(t["intro"]).replace("{operator}", operator), status_head=t["status_head"],
        status=html.escape(t["status"]), gaps_head=t["gaps_head"], gaps=gaps, report_head=t["report_head"],
        report=report, oversight_head=t["oversight_head"],
        oversight=html.escape(t["oversight"]).replace("{url}", digg), assessed_head=t["assessed_head"],
        assessed=html.escape(t["assessed"].format(version=__version__)),
    )


# Readable in both colour schemes (it follows the operating system), a line length for reading.
STATEMENT_CSS = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;line-height:1.6;margin:0;"
    "color:#1f2937;background:#fff}main{max-width:46em;margin:0 auto;padding:16px}a{color:#1d4ea0}"
    "a:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}"
    "@media (prefers-color-scheme: dark){body{color:#e5e7eb;background:#111827}a{color:#93c5fd}"
    "a:focus-visible{outline-color:#93c5fd}}"
)


def statement_route(settings):
    """A Starlette route serving the statement, for ``launch(app_kwargs={"routes": [...]})``."""
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request):
        return HTMLResponse(statement_html(settings, request.query_params.get("lang", "sv")))

    return Route(STATEMENT_PATH, page, methods=["GET"])
