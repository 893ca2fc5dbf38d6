//! The workbench's own words in Finnish and English (`locales/*.ftl`, Fluent).
//!
//! The language of a page is the `polku_lang` cookie set by the language switch, else the
//! workspace's language.

use axum::http::HeaderMap;
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use polku_model::Language;

use crate::state::AppState;

const FI: &str = include_str!("../locales/fi.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// The cookie that remembers the chosen language.
pub(crate) const LANG_COOKIE: &str = "polku_lang";

/// Translations for one language.
pub(crate) struct Tr {
    bundle: FluentBundle<FluentResource>,
    lang: Language,
}

impl Tr {
    pub(crate) fn new(lang: Language) -> Tr {
        let (source, tag) = match lang {
            Language::Fi => (FI, "fi"),
            Language::En => (EN, "en"),
        };
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("locales/{tag}.ftl does not parse: {errors:?}"));
        let langid = tag.parse().expect("a valid language tag");
        let mut bundle = FluentBundle::new(vec![langid]);
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("locales/{tag}.ftl repeats messages: {errors:?}"));
        Tr { bundle, lang }
    }

    pub(crate) fn lang(&self) -> Language {
        self.lang
    }

    /// The message `id`.
    pub(crate) fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with arguments.
    pub(crate) fn args(&self, id: &str, values: &[(&'static str, String)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in values {
            args.set(*k, FluentValue::from(v.clone()));
        }
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// A share as a percentage with one decimal: `12,5 %` in Finnish, `12.5%` in English.
    pub(crate) fn percent(&self, x: f64) -> String {
        let s = format!("{:.1}", x * 100.0);
        match self.lang {
            Language::Fi => format!("{} %", s.replace('.', ",")),
            Language::En => format!("{s}%"),
        }
    }

    /// A number with at most one decimal.
    pub(crate) fn number(&self, x: f64) -> String {
        let s = format!("{x:.1}");
        let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
        match self.lang {
            Language::Fi => s.replace('.', ","),
            Language::En => s,
        }
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
    use super::*;

    /// Every message of one language exists in the other.
    #[test]
    fn both_languages_have_the_same_messages() {
        let ids = |src: &str| -> std::collections::BTreeSet<String> {
            src.lines()
                .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(str::to_owned))
                .collect()
        };
        assert_eq!(ids(FI), ids(EN));
        assert!(ids(FI).len() > 50);
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Tr::new(Language::Fi).percent(0.125), "12,5 %");
        assert_eq!(Tr::new(Language::En).percent(0.125), "12.5%");
        assert_eq!(Tr::new(Language::Fi).number(2.0), "2");
    }
}
