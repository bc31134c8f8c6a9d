"""The accessibility statement's operator-specific parts come from settings and are escaped."""

from __future__ import annotations

from types import SimpleNamespace

from rag.product.web.statement import statement_html


def settings(name: str = "", contact: str = "") -> SimpleNamespace:
    return SimpleNamespace(operator_name=name, accessibility_contact=contact)


def test_a_statement_without_operator_settings_says_what_is_missing():
    html = statement_html(settings())

    assert '<html lang="sv">' in html
    assert "Den organisation som driver tjänsten (namnet är inte angivet, RAG_OPERATOR_NAME) erbjuder" in html
    assert "har ännu inte angett någon kontaktväg (RAG_ACCESSIBILITY_CONTACT)" in html
    assert '<a href="https://www.digg.se/tdosanmalan">' in html


def test_contacts_become_links_and_markup_in_settings_is_text():
    mail = statement_html(settings("Exempelby <kommun>", "tillganglighet@exempelby.se"), "en")
    assert '<html lang="en">' in mail
    assert "Exempelby &lt;kommun&gt; offers this service" in mail
    assert 'Contact us: <a href="mailto:tillganglighet@exempelby.se">tillganglighet@exempelby.se</a>.' in mail

    web = statement_html(settings(contact='https://exempelby.se/"x"'))
    assert '<a href="https://exempelby.se/&quot;x&quot;">https://exempelby.se/&quot;x&quot;</a>' in web
    assert statement_html(settings(contact="Ring 010-123 45 67")).count("Ring 010-123 45 67") == 1
    assert '<html lang="sv">' in statement_html(settings(), "fr")
