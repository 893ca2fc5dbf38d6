//! The analysis commands' words in the workspace language.
//!
//! Table output and the notes on standard error are for people, so they follow the
//! workspace's `language`; CSV and JSON are for programs and never change with it. The words
//! live in `locales/fi.ftl` and `locales/en.ftl` and use the report's own terms, so that the
//! command line and the report name the same things alike.

use polku_model::Language;
use polku_render::i18n::Messages;
use polku_store::WorkspaceDir;

const FI: &str = include_str!("../locales/fi.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// The messages of one language, with the number formats of the tables.
pub(crate) struct Tr {
    messages: Messages,
}

impl std::ops::Deref for Tr {
    type Target = Messages;

    fn deref(&self) -> &Messages {
        &self.messages
    }
}

impl Tr {
    /// The words of `lang`.
    pub(crate) fn new(lang: Language) -> Tr {
        Tr {
            messages: Messages::new(lang, FI, EN),
        }
    }

    /// The words of the workspace's language; English when its documents do not load, so a
    /// command that only reads the data still runs on a workspace with errors.
    pub(crate) fn of(dir: &WorkspaceDir) -> Tr {
        Tr::new(
            dir.load()
                .map_or(Language::En, |model| model.config.doc.language),
        )
    }

    /// A number with exactly `decimals` decimals, so that a column lines up: `12.50` in
    /// English, `12,50` in Finnish.
    pub(crate) fn fixed(&self, x: f64, decimals: usize) -> String {
        let s = format!("{x:.decimals$}");
        match self.lang() {
            Language::Fi => s.replace('.', ","),
            Language::En => s,
        }
    }

    /// A share as a percentage with one decimal: `12.5 %` / `12,5 %`.
    pub(crate) fn share(&self, x: f64) -> String {
        format!("{} %", self.fixed(x * 100.0, 1))
    }

    /// A table with the translated headers of message `ids`, columns aligned.
    pub(crate) fn table(&self, ids: &[&str], rows: &[Vec<String>]) -> String {
        let header: Vec<String> = ids.iter().map(|id| self.t(id)).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        crate::commands::funnel::aligned(&header, rows)
    }

    /// Seconds for people: `45 s`, `12.5 min`, `3.2 h`, `4.1 d` (`pv` in Finnish).
    pub(crate) fn seconds(&self, s: f64) -> String {
        if s < 60.0 {
            format!("{s:.0} s")
        } else if s < 3600.0 {
            format!("{} min", self.fixed(s / 60.0, 1))
        } else if s < 86_400.0 {
            format!("{} h", self.fixed(s / 3600.0, 1))
        } else {
            format!("{} {}", self.fixed(s / 86_400.0, 1), self.t("unit-day"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polku_render::i18n::message_ids;

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(message_ids(FI), message_ids(EN));
        let fi = Tr::new(Language::Fi);
        let en = Tr::new(Language::En);
        for id in message_ids(FI) {
            assert_ne!(fi.t(&id), id, "{id}");
            assert_ne!(en.t(&id), id, "{id}");
        }
    }

    #[test]
    fn numbers_follow_the_language() {
        let fi = Tr::new(Language::Fi);
        let en = Tr::new(Language::En);
        assert_eq!(fi.share(0.125), "12,5 %");
        assert_eq!(en.share(0.125), "12.5 %");
        assert_eq!(fi.fixed(1234.5, 2), "1234,50");
        assert_eq!(en.fixed(1234.5, 2), "1234.50");
        assert_eq!(fi.seconds(45.0), "45 s");
        assert_eq!(fi.seconds(750.0), "12,5 min");
        assert_eq!(en.seconds(3.0 * 86_400.0), "3.0 d");
        assert_eq!(fi.seconds(3.0 * 86_400.0), "3,0 pv");
    }
}
