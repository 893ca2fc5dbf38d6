//! "Did you mean" suggestions for misspelt names.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
///
/// Closeness is the Jaro-Winkler similarity, which favours a shared beginning: typos tend to
/// happen late in a word, and names like `pain_points` / `pain_point` share their start.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `", did you mean `X`?"`-style suffix for an error message, or an empty string.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["goals", "actions", "touchpoints", "pain_points", "emotion"];
        assert_eq!(closest("emotoin", keys), Some("emotion"));
        assert_eq!(closest("painpoints", keys), Some("pain_points"));
        assert_eq!(closest("touchpoint", keys), Some("touchpoints"));
        assert_eq!(closest("xyz", keys), None);
    }
}
