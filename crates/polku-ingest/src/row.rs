//! What a format reader hands on: one event in canonical fields, before normalisation.

use std::borrow::Cow;

/// One event read from a source, its text fields borrowed from the reader where possible.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRow<'a> {
    /// The source's event id.
    pub event_id: Option<Cow<'a, str>>,
    /// Device or cookie id.
    pub anonymous_id: Option<Cow<'a, str>>,
    /// Known user id.
    pub user_id: Option<Cow<'a, str>>,
    /// UTC microseconds.
    pub time: i64,
    /// The event name.
    pub event: Cow<'a, str>,
    /// A channel group the source gives.
    pub channel_group: Option<Cow<'a, str>>,
    /// Traffic source.
    pub source: Option<Cow<'a, str>>,
    /// Traffic medium.
    pub medium: Option<Cow<'a, str>>,
    /// Campaign.
    pub campaign: Option<Cow<'a, str>>,
    /// Page URL or path.
    pub url: Option<Cow<'a, str>>,
    /// Referring URL.
    pub referrer: Option<Cow<'a, str>>,
    /// Session id.
    pub session: Option<Cow<'a, str>>,
    /// Monetary value.
    pub value: Option<f64>,
    /// ISO 4217 currency.
    pub currency: Option<Cow<'a, str>>,
    /// Other fields as a JSON object.
    pub properties: Option<Cow<'a, str>>,
}

/// An identifier in an identity message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdRef<'a> {
    /// An anonymous (device, cookie) id.
    Anonymous(Cow<'a, str>),
    /// A user id.
    User(Cow<'a, str>),
    /// A Segment alias's `previousId` taken as a user id: it joins the person but never names
    /// the customer.
    PreviousUser(Cow<'a, str>),
}

/// An optional text: `None` when empty or blank.
#[must_use]
pub fn non_empty(s: &str) -> Option<&str> {
    // Most cells neither start nor end with white space; an ASCII byte that is not white space
    // at both ends settles that without decoding characters.
    let bytes = s.as_bytes();
    let solid = |b: Option<&u8>| b.is_some_and(|b| (b'!'..=b'~').contains(b));
    if solid(bytes.first()) && solid(bytes.last()) {
        return Some(s);
    }
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Appends `s` to `out` as a JSON string literal.
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads a monetary or numeric text: `12.50`, `12,50`, `1 234,50`, `-3`.
///
/// # Errors
/// When the text is not a finite number.
pub fn parse_number(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let parsed = t.parse::<f64>().ok().or_else(|| {
        let cleaned: String = t
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .collect();
        let cleaned = if cleaned.contains(',') && !cleaned.contains('.') {
            cleaned.replace(',', ".")
        } else {
            cleaned.replace(',', "")
        };
        cleaned.parse::<f64>().ok()
    });
    match parsed {
        Some(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{}` is not a number", short(t))),
    }
}

/// Checks and upper-cases an ISO 4217 currency code.
///
/// # Errors
/// When the text is not three letters.
pub fn parse_currency(s: &str) -> Result<Cow<'_, str>, String> {
    let t = s.trim();
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        if t.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Cow::Borrowed(t))
        } else {
            Ok(Cow::Owned(t.to_ascii_uppercase()))
        }
    } else {
        Err(format!(
            "currency `{}` is not a three-letter ISO 4217 code such as EUR",
            short(t)
        ))
    }
}

/// A value shortened for an error message.
#[must_use]
pub fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_finnish_and_english_forms() {
        assert_eq!(parse_number("12.5"), Ok(12.5));
        assert_eq!(parse_number("12,5"), Ok(12.5));
        assert_eq!(parse_number("1 234,50"), Ok(1234.5));
        assert_eq!(parse_number("1,234.50"), Ok(1234.5));
        assert!(parse_number("12 €").is_err());
        assert!(parse_number("NaN").is_err());
        assert!(parse_number("inf").is_err());
    }

    proptest::proptest! {
        #[test]
        fn non_empty_is_the_trimmed_text(s in "[ \\t\\n\u{b}\u{a0}\u{3000}a-zä]{0,8}|\\PC{0,8}") {
            let t = s.trim();
            proptest::prop_assert_eq!(non_empty(&s), (!t.is_empty()).then_some(t));
        }

        #[test]
        fn json_strings_read_back(s in "\\PC{0,12}|[\"\\\\\u{0}-\u{1f}a]{0,12}") {
            let mut out = String::new();
            push_json_str(&mut out, &s);
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }

    #[test]
    fn currencies_and_json_strings() {
        assert_eq!(parse_currency("eur").unwrap(), "EUR");
        assert!(parse_currency("euro").is_err());
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\n\u{1}ä");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001ä\"");
        assert_eq!(
            serde_json::from_str::<String>(&s).unwrap(),
            "a\"b\\c\n\u{1}ä"
        );
    }
}
