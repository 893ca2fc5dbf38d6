//! The pictures' own words in the workspace language, and number formats.
//!
//! Lane names, headings and legends live in Fluent files (`locales/fi.ftl`, `locales/en.ftl`)
//! compiled into the crate. The texts users write (titles, goals, pain points) are drawn as
//! they are; only the frame around them is translated.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use polku_model::{CustomerType, KpiLayer, Language, MapKind, OpportunityStatus, TouchpointKind};

const FI: &str = include_str!("../locales/fi.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// One language's messages from a pair of Fluent sources, and the number formats that go
/// with them.
///
/// Every crate that shows words keeps its own `locales/fi.ftl` and `locales/en.ftl`; this type
/// is how all of them are read, so plurals, grouping and percent signs follow one rule.
///
/// ```
/// use polku_model::Language;
/// use polku_render::i18n::Messages;
///
/// let fi = "rows = { $n ->\n    [one] { $n } rivi\n   *[other] { $n } riviä\n}\n";
/// let en = "rows = { $n ->\n    [one] { $n } row\n   *[other] { $n } rows\n}\n";
/// let m = Messages::new(Language::Fi, fi, en);
/// assert_eq!(m.counts("rows", &[("n", 1)]), "1 rivi");
/// assert_eq!(m.percent(0.42), "42\u{a0}%");
/// assert_eq!(m.percent_with(0.125, 1), "12,5\u{a0}%");
/// ```
pub struct Messages {
    bundle: FluentBundle<FluentResource>,
    lang: Language,
}

impl Messages {
    /// The messages of `lang`, taken from `fi` or `en`.
    ///
    /// # Panics
    /// If the chosen source does not parse or repeats a message: the sources are compiled into
    /// the program, so that is a bug a test shows, not an input error.
    #[must_use]
    pub fn new(lang: Language, fi: &str, en: &str) -> Messages {
        let (source, tag) = match lang {
            Language::Fi => (fi, "fi"),
            Language::En => (en, "en"),
        };
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("locales/{tag}.ftl does not parse: {errors:?}"));
        let langid = tag.parse().expect("a valid language tag");
        let mut bundle = FluentBundle::new(vec![langid]);
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("locales/{tag}.ftl repeats messages: {errors:?}"));
        Messages { bundle, lang }
    }

    /// The language of the messages.
    #[must_use]
    pub fn lang(&self) -> Language {
        self.lang
    }

    /// The message `id`.
    #[must_use]
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with a count `n`, for plurals.
    #[must_use]
    pub fn n(&self, id: &str, n: usize) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count: `$count` selects the plural, `$n` shows it grouped.
    #[must_use]
    pub fn count(&self, id: &str, n: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(n));
        args.set("n", FluentValue::from(self.integer(n)));
        self.format(id, Some(&args))
    }

    /// The message `id` with counts passed as Fluent numbers, so that `[one]`/`*[other]`
    /// variants select on them.
    #[must_use]
    pub fn counts(&self, id: &str, values: &[(&'static str, u64)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in values {
            args.set(*k, FluentValue::from(*v));
        }
        self.format(id, Some(&args))
    }

    /// The message `id` with text arguments.
    #[must_use]
    pub fn args(&self, id: &str, values: &[(&'static str, String)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in values {
            args.set(*k, FluentValue::from(v.clone()));
        }
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            // A missing message is a bug in the locale files; show the id rather than nothing.
            return id.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// A number with at most `decimals` decimals, trailing zeros dropped: `1,5` in Finnish and
    /// `1.5` in English. The minus is an en dash: Noto Sans has no U+2212 minus sign.
    #[must_use]
    pub fn number(&self, x: f64, decimals: usize) -> String {
        let s = format!("{x:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        };
        let s = if s == "-0" { "0".to_owned() } else { s };
        let s = s.replace('-', "–");
        match self.lang {
            Language::Fi => s.replace('.', ","),
            Language::En => s,
        }
    }

    /// A whole number with thousands grouped: `12 345` in Finnish (no-break space), `12,345`
    /// in English.
    #[must_use]
    pub fn integer(&self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self.lang {
            Language::Fi => '\u{a0}',
            Language::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// A share 0..1 as a percentage: whole percents from 10 % up, one decimal below (so a
    /// small share does not read as zero): `42 %` / `42%`, `3,5 %` / `3.5%`.
    #[must_use]
    pub fn percent(&self, share: f64) -> String {
        let p = if share.is_finite() {
            share * 100.0
        } else {
            0.0
        };
        let decimals = usize::from(p.abs() < 9.95 && p != 0.0);
        self.percent_with(share, decimals)
    }

    /// A share 0..1 as a percentage with at most `decimals` decimals: `12,5 %` (no-break
    /// space) in Finnish, `12.5%` in English. A share that is not a number reads as 0.
    #[must_use]
    pub fn percent_with(&self, share: f64, decimals: usize) -> String {
        let p = if share.is_finite() {
            share * 100.0
        } else {
            0.0
        };
        let v = self.number(p, decimals);
        match self.lang {
            Language::Fi => format!("{v}\u{a0}%"),
            Language::En => format!("{v}%"),
        }
    }

    /// A duration in the largest unit that keeps it readable, with at most one decimal:
    /// `3,5 pv` / `3.5 d`, `2 h`, `12 min` (no-break space before the unit).
    #[must_use]
    pub fn duration(&self, seconds: f64) -> String {
        let (value, fi, en) = if seconds >= 86_400.0 {
            (seconds / 86_400.0, "pv", "d")
        } else if seconds >= 3600.0 {
            (seconds / 3600.0, "h", "h")
        } else {
            (seconds / 60.0, "min", "min")
        };
        let unit = match self.lang {
            Language::Fi => fi,
            Language::En => en,
        };
        format!("{}\u{a0}{unit}", self.number(value, 1))
    }
}

/// The ids of the messages a Fluent source defines, sorted: the test that every language
/// has every message compares these.
#[must_use]
pub fn message_ids(source: &str) -> Vec<String> {
    let mut ids: Vec<String> = source
        .lines()
        .filter_map(|line| {
            // A message starts at the line's start with an identifier; variants, attributes
            // and continued text are indented, comments start with `#`, terms with `-`.
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let is_id = id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            is_id.then(|| id.to_owned())
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The pictures' messages in one language, with the names of the model's kinds and the money
/// and quantity formats the pictures use.
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
    /// The translations of `lang`.
    pub(crate) fn new(lang: Language) -> Tr {
        Tr {
            messages: Messages::new(lang, FI, EN),
        }
    }

    /// The name of a map kind.
    pub(crate) fn kind(&self, kind: MapKind) -> String {
        self.t(&format!("kind-{}", kind.as_str()))
    }

    /// The name of a touchpoint kind.
    pub(crate) fn touchpoint_kind(&self, kind: TouchpointKind) -> String {
        self.t(&format!("touchpoint-{}", kind.as_str()))
    }

    /// The name of an opportunity status.
    pub(crate) fn status(&self, status: OpportunityStatus) -> String {
        self.t(match status {
            OpportunityStatus::Idea => "status-idea",
            OpportunityStatus::Planned => "status-planned",
            OpportunityStatus::InProgress => "status-in-progress",
            OpportunityStatus::Done => "status-done",
        })
    }

    /// The name of a KPI layer.
    pub(crate) fn kpi_layer(&self, layer: KpiLayer) -> String {
        self.t(match layer {
            KpiLayer::User => "kpi-layer-user",
            KpiLayer::Traffic => "kpi-layer-traffic",
            KpiLayer::Sales => "kpi-layer-sales",
        })
    }

    /// The name of a customer type.
    pub(crate) fn customer_type(&self, t: CustomerType) -> String {
        self.t(match t {
            CustomerType::Client => "customer-type-client",
            CustomerType::Customer => "customer-type-customer",
            CustomerType::Consumer => "customer-type-consumer",
        })
    }

    /// "3 sources" in the language.
    pub(crate) fn sources(&self, n: usize) -> String {
        self.n("evidence-count", n)
    }

    /// An amount of money rounded to whole units: `12 345 €` / `€12,345`.
    pub(crate) fn money(&self, x: f64, currency: &str) -> String {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = if x.is_finite() {
            x.round().max(0.0) as u64
        } else {
            0
        };
        let v = self.integer(n);
        // The data gives ISO 4217 codes; the common ones read better as their signs.
        let currency = match currency {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            other => other,
        };
        if currency.is_empty() {
            return v;
        }
        match (self.lang(), currency) {
            (Language::En, "€" | "$" | "£") => format!("{currency}{v}"),
            _ => format!("{v}\u{a0}{currency}"),
        }
    }

    /// A signed number: `+1,5`, `–0,5`, `0`.
    pub(crate) fn signed(&self, x: f64, decimals: usize) -> String {
        let s = self.number(x, decimals);
        if s.starts_with('–') || s == "0" {
            s
        } else {
            format!("+{s}")
        }
    }

    /// A value with its unit: `25 %` and `500 €` in Finnish, `25%` and `€500` in English.
    pub(crate) fn quantity(&self, x: f64, unit: Option<&str>) -> String {
        let v = self.number(x, 2);
        match (unit.map(str::trim).filter(|u| !u.is_empty()), self.lang()) {
            (None, _) => v,
            (Some(u), Language::Fi) => format!("{v}\u{a0}{u}"),
            (Some("%"), Language::En) => format!("{v}%"),
            (Some(u @ ("€" | "$" | "£")), Language::En) => format!("{u}{v}"),
            (Some(u), Language::En) => format!("{v}\u{a0}{u}"),
        }
    }
}

/// The message id of a persona field's label: `reports_to` → `persona-reports-to`.
pub(crate) fn field_label_key(field: &str) -> String {
    format!("persona-{}", field.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(message_ids(FI), message_ids(EN));
        assert!(message_ids(FI).len() > 60);
        let fi = Tr::new(Language::Fi);
        for id in message_ids(FI) {
            assert_ne!(fi.t(&id), id, "{id}");
        }
    }

    #[test]
    fn plurals_and_numbers() {
        let fi = Tr::new(Language::Fi);
        let en = Tr::new(Language::En);
        assert_eq!(fi.sources(1), "1 lähde");
        assert_eq!(fi.sources(3), "3 lähdettä");
        assert_eq!(en.sources(3), "3 sources");
        assert_eq!(fi.number(1.5, 1), "1,5");
        assert_eq!(fi.signed(-0.5, 1), "–0,5");
        assert_eq!(en.signed(2.0, 1), "+2");
        assert_eq!(fi.quantity(25.0, Some("%")), "25\u{a0}%");
        assert_eq!(en.quantity(25.0, Some("%")), "25%");
        assert_eq!(en.quantity(1200.5, Some("€")), "€1200.5");
        assert_eq!(fi.integer(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(en.integer(999), "999");
        assert_eq!(en.integer(1000), "1,000");
        assert_eq!(en.percent(0.4237), "42%");
        assert_eq!(fi.percent(0.035), "3,5\u{a0}%");
        assert_eq!(en.percent(0.0), "0%");
        assert_eq!(en.percent(1.0), "100%");
        assert_eq!(en.money(12_345.4, "€"), "€12,345");
        assert_eq!(fi.duration(3.5 * 86_400.0), "3,5\u{a0}pv");
        assert_eq!(en.duration(2.0 * 3600.0), "2\u{a0}h");
        assert_eq!(en.duration(90.0), "1.5\u{a0}min");
        assert_eq!(fi.money(12_345.6, "€"), "12\u{a0}346\u{a0}€");
        assert_eq!(
            fi.args("kpi-target", &[("value", "5 min".into())]),
            "Tavoite 5 min"
        );
    }

    #[test]
    fn message_ids_skip_variants_comments_and_terms() {
        let source = "# note = not a message\n-brand = polku\nfirst = One\nsecond =\n    { $n ->\n        [one] x = y\n       *[other] z\n    }\nfirst.attr = no\n";
        assert_eq!(message_ids(source), ["first", "second"]);
    }
}
