//! The workbench's own words in Finnish and English (`locales/*.ftl`, Fluent).
//!
//! The language of a page is the `polku_lang` cookie set by the language switch, else the
//! workspace's language.

use axum::http::HeaderMap;
use polku_model::Language;
use polku_render::i18n::Messages;

use crate::state::AppState;

const FI: &str = include_str!("../locales/fi.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// The cookie that remembers the chosen language.
pub(crate) const LANG_COOKIE: &str = "polku_lang";

/// The workbench's messages in one language; numbers are formatted by
/// [`Messages`], the same rules as the posters and the report.
pub(crate) struct Tr(Messages);

impl std::ops::Deref for Tr {
    type Target = Messages;

    fn deref(&self) -> &Messages {
        &self.0
    }
}

impl Tr {
    pub(crate) fn new(lang: Language) -> Tr {
        Tr(Messages::new(lang, FI, EN))
    }

    /// A rate on the dashboards: a share as a percentage with at most one decimal, so that
    /// stages close to each other still read apart.
    pub(crate) fn rate(&self, share: f64) -> String {
        self.percent_with(share, 1)
    }
}

/// The language of a request: the language cookie, else the workspace's.
pub(crate) fn language(headers: &HeaderMap, state: &AppState) -> Language {
    crate::auth::cookie(headers, LANG_COOKIE)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| workspace_language(state))
}

fn workspace_language(state: &AppState) -> Language {
    state
        .workspace()
        .load()
        .map_or(Language::Fi, |ws| ws.config.doc.language)
}

#[cfg(test)]
mod tests {
    use polku_render::i18n::message_ids;

    use super::*;

    /// Every message of one language exists in the other, and every one is found.
    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(message_ids(FI), message_ids(EN));
        assert!(message_ids(FI).len() > 50);
        let fi = Tr::new(Language::Fi);
        for id in message_ids(FI) {
            assert_ne!(fi.t(&id), id, "{id}");
        }
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Tr::new(Language::Fi).rate(0.125), "12,5\u{a0}%");
        assert_eq!(Tr::new(Language::En).rate(0.125), "12.5%");
        assert_eq!(Tr::new(Language::En).rate(0.5), "50%");
        assert_eq!(Tr::new(Language::Fi).number(2.0, 1), "2");
    }
}
