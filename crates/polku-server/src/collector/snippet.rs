//! `GET /snippet`: how to send a website's events to this collector, in Finnish or English.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Html;
use polku_model::Language;
use polku_render::escape;

use super::Collector;

struct Texts {
    lang: &'static str,
    title: &'static str,
    intro: &'static str,
    key: &'static str,
    npm: &'static str,
    tag: &'static str,
    server: &'static str,
    check: &'static str,
}

const FI: Texts = Texts {
    lang: "fi",
    title: "Tapahtumat verkkosivulta polkuun",
    intro: "Tämä palvelin ottaa vastaan Segment-yhteensopivia tapahtumia. Mikä tahansa Segment-kirjasto käy, kun sen osoitteeksi annetaan tämä palvelin. Kirjoitusavain luodaan komennolla <code>polku key add --name sivusto</code>; se näytetään vain kerran.",
    key: "KIRJOITUSAVAIN",
    npm: "Sivusto, joka käyttää npm-paketteja (@segment/analytics-next):",
    tag: "Sivu ilman koontityökalua (script-tagi):",
    server: "Palvelimelta (Node.js, @segment/analytics-node) tai Pythonista (segment-analytics-python):",
    check: "Tarkista, että tapahtumat tulivat perille: <code>polku stats</code>.",
};

const EN: Texts = Texts {
    lang: "en",
    title: "Events from a website into polku",
    intro: "This server takes Segment-compatible events. Any Segment library works once its address is set to this server. Make a write key with <code>polku key add --name website</code>; it is shown only once.",
    key: "WRITE_KEY",
    npm: "A website built with npm packages (@segment/analytics-next):",
    tag: "A page without a build step (a script tag):",
    server: "From a server (Node.js, @segment/analytics-node) or from Python (segment-analytics-python):",
    check: "Check that the events arrived: <code>polku stats</code>.",
};

/// The page, for the address the browser used to reach this server; `?lang=fi|en`, else the
/// workspace's language.
pub(super) async fn page(
    State(c): State<Collector>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Html<String> {
    let lang = match q.get("lang").map(String::as_str) {
        Some("fi") => Language::Fi,
        Some("en") => Language::En,
        _ => c.language(),
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost:8080");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    Html(render(lang, scheme, host))
}

/// The snippet page's HTML.
#[must_use]
pub fn render(lang: Language, scheme: &str, host: &str) -> String {
    let t = match lang {
        Language::Fi => &FI,
        Language::En => &EN,
    };
    let key = t.key;
    let npm = escape(&format!(
        r#"import {{ AnalyticsBrowser }} from '@segment/analytics-next'

export const analytics = AnalyticsBrowser.load({{
  writeKey: '{key}',
  // Settings given here are not fetched from Segment's CDN.
  cdnSettings: {{
    integrations: {{
      'Segment.io': {{ apiHost: '{host}/v1', protocol: '{scheme}' }},
    }},
  }},
}})

analytics.page()
analytics.track('Signed Up', {{ plan: 'team' }})
analytics.identify('user-123')"#
    ));
    let tag = escape(&format!(
        r#"<script type="module">
  import {{ AnalyticsBrowser }} from 'https://esm.sh/@segment/analytics-next'
  window.analytics = AnalyticsBrowser.load({{
    writeKey: '{key}',
    cdnSettings: {{ integrations: {{ 'Segment.io': {{ apiHost: '{host}/v1', protocol: '{scheme}' }} }} }},
  }})
  window.analytics.page()
</script>"#
    ));
    let server = escape(&format!(
        r#"// Node.js
import {{ Analytics }} from '@segment/analytics-node'
const analytics = new Analytics({{ writeKey: '{key}', host: '{scheme}://{host}' }})
analytics.track({{ userId: 'user-123', event: 'Order Completed', properties: {{ revenue: 49 }} }})

# Python
from segment import analytics
analytics.write_key = '{key}'
analytics.host = '{scheme}://{host}'
analytics.track('user-123', 'Order Completed', {{'revenue': 49}})

# curl
curl -u '{key}:' -H 'Content-Type: application/json' \
  -d '{{"userId":"user-123","event":"Order Completed"}}' {scheme}://{host}/v1/track"#
    ));
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}pre{{background:#f4f4f4;padding:1rem;overflow-x:auto}}</style>
</head>
<body>
<h1>{title}</h1>
<p>{intro}</p>
<p>{npm_h}</p>
<pre><code>{npm}</code></pre>
<p>{tag_h}</p>
<pre><code>{tag}</code></pre>
<p>{server_h}</p>
<pre><code>{server}</code></pre>
<p>{check}</p>
</body>
</html>
"#,
        lang = t.lang,
        title = t.title,
        intro = t.intro,
        npm_h = t.npm,
        tag_h = t.tag,
        server_h = t.server,
        check = t.check,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_this_server_and_escapes_the_host() {
        let en = render(Language::En, "https", "events.example.com");
        // The code is shown as text, so its quotes are escaped like any other text.
        assert!(en.contains("apiHost: &#39;events.example.com/v1&#39;, protocol: &#39;https&#39;"));
        assert!(en.contains("https://events.example.com/v1/track"));
        assert!(en.contains("<html lang=\"en\">"));
        let fi = render(Language::Fi, "http", "<x>");
        assert!(fi.contains("&lt;x&gt;/v1") && !fi.contains("<x>"));
        assert!(fi.contains("KIRJOITUSAVAIN") && fi.contains("lang=\"fi\""));
    }
}
