//! The page frame: head, navigation, language switch; and HTML escaping.

use crate::auth::CurrentUser;
use crate::i18n::Tr;
use crate::users::Role;

/// The stylesheet and script, embedded so the binary serves them without files.
pub(crate) const CSS: &str = include_str!("../assets/app.css");
pub(crate) const JS: &str = include_str!("../assets/app.js");

/// Escapes text for HTML content and attribute values: the same rule as the pictures'.
pub(crate) use polku_render::escape as esc;

/// A page without navigation (sign-in).
pub(crate) fn bare_page(tr: &Tr, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · polku</title><link rel="stylesheet" href="/assets/app.css"></head>
<body>{body}</body></html>"#,
        lang = tr.lang().code(),
        title = esc(title),
    )
}

/// The navigation sections; `active` marks the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Personas,
    Maps,
    Compare,
    Dashboards,
    Users,
}

/// A signed-in page: navigation, user, language switch, sign-out, and `body`.
pub(crate) fn page(
    user: &CurrentUser,
    active: Section,
    title: &str,
    path: &str,
    body: &str,
) -> String {
    let tr = user.tr();
    let mut nav = String::new();
    let mut items = vec![
        (Section::Overview, "/", "nav-overview"),
        (Section::Personas, "/personas", "nav-personas"),
        (Section::Maps, "/maps", "nav-maps"),
        (Section::Compare, "/compare", "nav-compare"),
        (Section::Dashboards, "/dashboards", "nav-dashboards"),
    ];
    if user.role >= Role::Admin {
        items.push((Section::Users, "/users", "nav-users"));
    }
    for (section, href, id) in items {
        let current = if section == active {
            r#" aria-current="page""#
        } else {
            ""
        };
        nav.push_str(&format!(
            r#"<a href="{href}"{current}>{}</a>"#,
            esc(&tr.t(id))
        ));
    }
    let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{csrf}">
<title>{title} · polku</title><link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body><header class="top"><a class="brand" href="/">polku</a><nav>{nav}</nav>
<div class="who"><span class="user">{name} ({role})</span>
<a href="/lang?set=fi&amp;{next}" lang="fi">FI</a> <a href="/lang?set=en&amp;{next}" lang="en">EN</a>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link">{logout}</button></form></div></header>
<main>{body}</main></body></html>"#,
        lang = tr.lang().code(),
        csrf = esc(&user.csrf),
        title = esc(title),
        name = esc(&user.name),
        role = esc(&tr.t(&format!("role-{}", user.role.as_str()))),
        logout = esc(&tr.t("nav-logout")),
    )
}

/// A message box for errors and notices.
pub(crate) fn alert(kind: &str, text: &str, details: &[String]) -> String {
    let mut out = format!(
        r#"<div class="alert {kind}" role="alert"><p>{}</p>"#,
        esc(text)
    );
    if !details.is_empty() {
        out.push_str("<ul>");
        for d in details {
            out.push_str(&format!("<li><code>{}</code></li>", esc(d)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        // A control character is no character of an HTML page; it reads as a space.
        assert_eq!(esc("a\u{0}b\u{1b}c\td"), "a b c\td");
    }
}
