//! Channel grouping: source, medium and campaign into a channel group.
//!
//! The default rules follow Google Analytics 4's default channel group, in its order (Direct,
//! Cross-network, Paid Shopping, Paid Search, Paid Social, Paid Video, Display, Paid Other,
//! Organic Shopping, Organic Social, Organic Video, Organic Search, Referral, Email, Affiliates,
//! Audio, SMS, Mobile Push Notifications, else Unassigned). Whether a source is a search
//! engine, a social network, a video or a shopping site comes from GA4's public source-category
//! table (`data/ga4_source_categories.csv`, MIT licence, from the dbt-ga4 project).
//!
//! A workspace overrides the defaults with `channel_groups` in `polku.yaml`: rules tried in
//! order before the defaults. A rule matches when every condition it gives holds; a list
//! matches when any entry does; texts compare case-insensitively:
//!
//! ```yaml
//! channel_groups:
//!   - group: Partners
//!     source: [partner-portal, reseller.example.com]
//!   - group: Events
//!     medium: [event, fair, webinar]
//!   - group: Brand Search
//!     medium: [cpc]
//!     campaign_contains: [brand]
//! ```

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::IngestError;

/// The category GA4 gives a traffic source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceCategory {
    /// Search engines.
    Search,
    /// Social networks.
    Social,
    /// Shopping sites.
    Shopping,
    /// Video sites.
    Video,
}

const TABLE: &str = include_str!("../data/ga4_source_categories.csv");

fn categories() -> &'static HashMap<&'static str, SourceCategory> {
    static MAP: OnceLock<HashMap<&'static str, SourceCategory>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (source, cat) = line.trim().split_once(',')?;
                let cat = match cat {
                    "SOURCE_CATEGORY_SEARCH" => SourceCategory::Search,
                    "SOURCE_CATEGORY_SOCIAL" => SourceCategory::Social,
                    "SOURCE_CATEGORY_SHOPPING" => SourceCategory::Shopping,
                    "SOURCE_CATEGORY_VIDEO" => SourceCategory::Video,
                    _ => return None,
                };
                Some((source, cat))
            })
            .collect()
    })
}

/// The GA4 category of a source such as `google`, `www.facebook.com` or `l.instagram.com`.
#[must_use]
pub fn source_category(source: &str) -> Option<SourceCategory> {
    let map = categories();
    let lower = source.trim().to_ascii_lowercase();
    let mut s = lower.as_str();
    if let Some(c) = map.get(s) {
        return Some(*c);
    }
    for prefix in ["www.", "m.", "l.", "lm.", "mobile.", "web."] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            if let Some(c) = map.get(s) {
                return Some(*c);
            }
        }
    }
    // `google.fi`, `search.yahoo.co.jp`: try the name before the public suffix.
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() >= 2 {
        for label in labels.iter().rev().skip(1) {
            if label.len() > 3 {
                if let Some(c) = map.get(label) {
                    return Some(*c);
                }
                break;
            }
        }
    }
    None
}

/// A user rule from `polku.yaml`'s `channel_groups` (the workspace format owns the type).
pub use polku_model::ChannelGroupRule as ChannelRule;

/// A rule with its texts lower-cased once, so matching compares without allocating.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoweredRule(ChannelRule);

impl LoweredRule {
    fn new(mut rule: ChannelRule) -> Self {
        for list in [
            &mut rule.source,
            &mut rule.medium,
            &mut rule.campaign,
            &mut rule.source_contains,
            &mut rule.medium_contains,
            &mut rule.campaign_contains,
        ] {
            for s in list.iter_mut() {
                *s = s.trim().to_lowercase();
            }
        }
        LoweredRule(rule)
    }

    fn matches(&self, source: &str, medium: &str, campaign: &str) -> bool {
        fn exact(list: &[String], v: &str) -> bool {
            list.is_empty() || list.iter().any(|x| x == v)
        }
        fn contains(list: &[String], v: &str) -> bool {
            list.is_empty() || list.iter().any(|x| v.contains(x.as_str()))
        }
        let rule = &self.0;
        exact(&rule.source, source)
            && exact(&rule.medium, medium)
            && exact(&rule.campaign, campaign)
            && contains(&rule.source_contains, source)
            && contains(&rule.medium_contains, medium)
            && contains(&rule.campaign_contains, campaign)
    }
}

/// Channel groups of the default rules.
pub mod group {
    /// Typed or bookmarked visits, no source.
    pub const DIRECT: &str = "Direct";
    /// Google's cross-network campaigns.
    pub const CROSS_NETWORK: &str = "Cross-network";
    /// Paid shopping ads.
    pub const PAID_SHOPPING: &str = "Paid Shopping";
    /// Paid search ads.
    pub const PAID_SEARCH: &str = "Paid Search";
    /// Paid social ads.
    pub const PAID_SOCIAL: &str = "Paid Social";
    /// Paid video ads.
    pub const PAID_VIDEO: &str = "Paid Video";
    /// Display and banner ads.
    pub const DISPLAY: &str = "Display";
    /// Other paid traffic.
    pub const PAID_OTHER: &str = "Paid Other";
    /// Unpaid shopping sites.
    pub const ORGANIC_SHOPPING: &str = "Organic Shopping";
    /// Unpaid social networks.
    pub const ORGANIC_SOCIAL: &str = "Organic Social";
    /// Unpaid video sites.
    pub const ORGANIC_VIDEO: &str = "Organic Video";
    /// Unpaid search results.
    pub const ORGANIC_SEARCH: &str = "Organic Search";
    /// Links from other sites.
    pub const REFERRAL: &str = "Referral";
    /// E-mail.
    pub const EMAIL: &str = "Email";
    /// Affiliate programmes.
    pub const AFFILIATES: &str = "Affiliates";
    /// Audio ads and podcasts.
    pub const AUDIO: &str = "Audio";
    /// Text messages.
    pub const SMS: &str = "SMS";
    /// App notifications.
    pub const MOBILE_PUSH: &str = "Mobile Push Notifications";
    /// Nothing matched.
    pub const UNASSIGNED: &str = "Unassigned";
    /// Every default group, in rule order.
    pub const ALL: [&str; 19] = [
        DIRECT,
        CROSS_NETWORK,
        PAID_SHOPPING,
        PAID_SEARCH,
        PAID_SOCIAL,
        PAID_VIDEO,
        DISPLAY,
        PAID_OTHER,
        ORGANIC_SHOPPING,
        ORGANIC_SOCIAL,
        ORGANIC_VIDEO,
        ORGANIC_SEARCH,
        REFERRAL,
        EMAIL,
        AFFILIATES,
        AUDIO,
        SMS,
        MOBILE_PUSH,
        UNASSIGNED,
    ];
}

/// Groups traffic into channels: user rules first, then GA4's defaults.
#[derive(Debug, Clone, Default)]
pub struct ChannelGrouper {
    rules: Vec<LoweredRule>,
}

fn is_paid(medium: &str) -> bool {
    medium.contains("cp")
        || medium == "ppc"
        || medium == "retargeting"
        || medium.starts_with("paid")
}

/// GA4's shopping-campaign pattern: `shopping`, or `shop` at the start or after anything but
/// the letters a–d and f–z.
fn is_shopping_campaign(campaign: &str) -> bool {
    if campaign.contains("shopping") {
        return true;
    }
    let b = campaign.as_bytes();
    campaign.match_indices("shop").any(|(i, _)| {
        i == 0 || {
            let c = b[i - 1];
            !(c.is_ascii_lowercase() && c != b'e')
        }
    })
}

fn is_email(s: &str) -> bool {
    ["email", "e-mail", "e_mail", "e mail"]
        .iter()
        .any(|p| s.contains(p))
}

impl ChannelGrouper {
    /// GA4's default grouping with no user rules.
    #[must_use]
    pub fn ga4_default() -> Self {
        ChannelGrouper::default()
    }

    /// The default grouping preceded by `rules`.
    ///
    /// # Errors
    /// When a rule has no group name or no condition.
    pub fn with_rules(rules: Vec<ChannelRule>) -> Result<Self, String> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, rule) in rules.into_iter().enumerate() {
            if rule.group.trim().is_empty() {
                return Err(format!("channel_groups[{i}]: `group` is empty"));
            }
            if rule.has_no_condition() {
                return Err(format!(
                    "channel_groups[{i}] ({}): give at least one of source, medium, campaign, \
                     source_contains, medium_contains, campaign_contains",
                    rule.group
                ));
            }
            out.push(LoweredRule::new(rule));
        }
        Ok(ChannelGrouper { rules: out })
    }

    /// The channel group of a row with these traffic fields.
    #[must_use]
    pub fn group<'a>(
        &'a self,
        source: Option<&str>,
        medium: Option<&str>,
        campaign: Option<&str>,
    ) -> &'a str {
        let source = source.unwrap_or("").trim().to_lowercase();
        let medium = medium.unwrap_or("").trim().to_lowercase();
        let campaign = campaign.unwrap_or("").trim().to_lowercase();
        for rule in &self.rules {
            if rule.matches(&source, &medium, &campaign) {
                return &rule.0.group;
            }
        }
        default_group(&source, &medium, &campaign)
    }
}

/// GA4's default rules on lower-cased, trimmed fields.
fn default_group(source: &str, medium: &str, campaign: &str) -> &'static str {
    use group::*;
    let no_medium = medium.is_empty() || medium == "(none)" || medium == "(not set)";
    if (source.is_empty() || source == "(direct)") && no_medium && campaign.is_empty() {
        return DIRECT;
    }
    if campaign.contains("cross-network") {
        return CROSS_NETWORK;
    }
    let cat = if source.is_empty() {
        None
    } else {
        source_category(source)
    };
    let shop_campaign = is_shopping_campaign(campaign);
    let paid = is_paid(medium);
    if paid {
        if cat == Some(SourceCategory::Shopping) || shop_campaign {
            return PAID_SHOPPING;
        }
        match cat {
            Some(SourceCategory::Search) => return PAID_SEARCH,
            Some(SourceCategory::Social) => return PAID_SOCIAL,
            Some(SourceCategory::Video) => return PAID_VIDEO,
            _ => {}
        }
    }
    if matches!(
        medium,
        "display" | "banner" | "expandable" | "interstitial" | "cpm"
    ) {
        return DISPLAY;
    }
    if paid {
        return PAID_OTHER;
    }
    if cat == Some(SourceCategory::Shopping) || shop_campaign {
        return ORGANIC_SHOPPING;
    }
    if cat == Some(SourceCategory::Social)
        || matches!(
            medium,
            "social" | "social-network" | "social-media" | "sm" | "social network" | "social media"
        )
    {
        return ORGANIC_SOCIAL;
    }
    if cat == Some(SourceCategory::Video) || medium.contains("video") {
        return ORGANIC_VIDEO;
    }
    if cat == Some(SourceCategory::Search) || medium == "organic" {
        return ORGANIC_SEARCH;
    }
    if matches!(medium, "referral" | "app" | "link") {
        return REFERRAL;
    }
    if is_email(source) || is_email(medium) || medium == "newsletter" {
        return EMAIL;
    }
    if medium == "affiliate" {
        return AFFILIATES;
    }
    if medium == "audio" {
        return AUDIO;
    }
    if source == "sms" || medium == "sms" {
        return SMS;
    }
    if medium.ends_with("push")
        || medium.contains("mobile")
        || medium.contains("notification")
        || source == "firebase"
    {
        return MOBILE_PUSH;
    }
    UNASSIGNED
}

/// The host of a URL as written, without `www.`; `None` for a path or an empty text.
///
/// One scan over the bytes after the scheme rather than a chain of splits: it runs twice for
/// every event with a referrer. Every delimiter is ASCII, so each cut is a character boundary.
pub(crate) fn host_slice(url: &str) -> Option<&str> {
    let url = crate::row::non_empty(url)?;
    let scheme_end = memchr::memmem::find(url.as_bytes(), b"://")?;
    let rest = &url[scheme_end + 3..];
    let (mut start, mut end) = (0, rest.len());
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            b'@' => start = i + 1,
            _ => {}
        }
    }
    let host = &rest[start..end];
    let host = host
        .bytes()
        .position(|b| b == b':')
        .map_or(host, |colon| &host[..colon]);
    let host = match host.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("www.") => &host[4..],
        _ => host,
    };
    (!host.is_empty()).then_some(host)
}

/// The host of a URL, lower-cased, without `www.`; `None` for a path or an empty text.
#[must_use]
pub fn url_host(url: &str) -> Option<String> {
    host_slice(url).map(str::to_ascii_lowercase)
}

/// Source and medium for a visit that came from `referrer` and has no UTM tags, as GA4 derives
/// them: a search engine gives (`google`, `organic`), anything else (`host`, `referral`). A
/// referrer on the page's own site is internal navigation and gives nothing.
#[must_use]
pub fn from_referrer(referrer: &str, page_url: Option<&str>) -> Option<(String, &'static str)> {
    let host = external_referrer_host(referrer, page_url)?;
    Some(source_of_host(host))
}

/// The host of `referrer` as written, unless it is the page's own site (or no URL).
pub(crate) fn external_referrer_host<'a>(
    referrer: &'a str,
    page_url: Option<&str>,
) -> Option<&'a str> {
    let raw = host_slice(referrer)?;
    if page_url
        .and_then(host_slice)
        .is_some_and(|p| p.eq_ignore_ascii_case(raw))
    {
        return None;
    }
    Some(raw)
}

/// The source and medium of a visit referred by `host` (as [`host_slice`] gives it); see
/// [`from_referrer`].
pub(crate) fn source_of_host(host: &str) -> (String, &'static str) {
    let host = host.to_ascii_lowercase();
    match source_category(&host) {
        Some(SourceCategory::Search) => {
            // `google.fi`, `bing.com` → `google`, `bing`.
            let labels: Vec<&str> = host.split('.').collect();
            let name = labels
                .iter()
                .rev()
                .skip(1)
                .find(|l| l.len() > 3)
                .copied()
                .unwrap_or(&host);
            (name.to_owned(), "organic")
        }
        _ => (host, "referral"),
    }
}

/// Reads the `channel_groups` rules from a workspace's `polku.yaml`; none when the file or the
/// key is missing.
///
/// # Errors
/// When the file is not YAML or the rules are malformed.
pub fn workspace_rules(root: &Path) -> Result<Vec<ChannelRule>, IngestError> {
    let path = root.join(polku_model::workspace::CONFIG_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = fs_err::read_to_string(&path)?;
    let file = path.display().to_string();
    let config =
        polku_model::parse::<polku_model::WorkspaceConfig>(&file, &text).map_err(|diagnostic| {
            IngestError::File {
                file: format!(
                    "{file}:{}:{}",
                    diagnostic.position.line, diagnostic.position.column
                ),
                message: diagnostic.message,
            }
        })?;
    Ok(config.doc.channel_groups)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::group::*;
    use super::*;

    #[rstest]
    #[case(None, None, None, DIRECT)]
    #[case(Some("(direct)"), Some("(none)"), None, DIRECT)]
    #[case(Some("google"), Some("cpc"), None, PAID_SEARCH)]
    #[case(Some("google"), Some("cpc"), Some("pmax cross-network"), CROSS_NETWORK)]
    #[case(Some("google"), Some("cpc"), Some("summer shopping"), PAID_SHOPPING)]
    #[case(Some("amazon"), Some("paid"), None, PAID_SHOPPING)]
    #[case(Some("facebook"), Some("paid_social"), None, PAID_SOCIAL)]
    #[case(Some("linkedin.com"), Some("cpc"), None, PAID_SOCIAL)]
    #[case(Some("youtube"), Some("cpv"), None, PAID_VIDEO)]
    #[case(Some("gdn"), Some("display"), None, DISPLAY)]
    #[case(Some("adform"), Some("cpm"), None, DISPLAY)]
    #[case(Some("partner"), Some("ppc"), None, PAID_OTHER)]
    #[case(Some("l.facebook.com"), Some("referral"), None, ORGANIC_SOCIAL)]
    #[case(Some("anything"), Some("social"), None, ORGANIC_SOCIAL)]
    #[case(Some("youtube.com"), Some("referral"), None, ORGANIC_VIDEO)]
    #[case(Some("google"), Some("organic"), None, ORGANIC_SEARCH)]
    #[case(Some("www.bing.com"), Some("referral"), None, ORGANIC_SEARCH)]
    #[case(Some("duunitori.fi"), Some("referral"), None, REFERRAL)]
    #[case(Some("newsletter"), Some("email"), None, EMAIL)]
    #[case(Some("mailchimp"), Some("e-mail"), None, EMAIL)]
    #[case(Some("awin"), Some("affiliate"), None, AFFILIATES)]
    #[case(Some("spotify-ads"), Some("audio"), None, AUDIO)]
    #[case(Some("sms"), Some("text"), None, SMS)]
    #[case(Some("app"), Some("web_push"), None, MOBILE_PUSH)]
    #[case(Some("firebase"), Some("notif"), None, MOBILE_PUSH)]
    #[case(Some("fair"), Some("offline"), None, UNASSIGNED)]
    #[case(Some("Google"), Some("CPC"), None, PAID_SEARCH)]
    fn default_rules(
        #[case] source: Option<&str>,
        #[case] medium: Option<&str>,
        #[case] campaign: Option<&str>,
        #[case] want: &str,
    ) {
        assert_eq!(
            ChannelGrouper::ga4_default().group(source, medium, campaign),
            want
        );
    }

    #[test]
    fn shopping_campaign_pattern_follows_ga4() {
        assert!(is_shopping_campaign("shop-sale"));
        assert!(is_shopping_campaign("summer_shop"));
        assert!(is_shopping_campaign("eshop"));
        assert!(!is_shopping_campaign("workshop"));
    }

    #[test]
    fn user_rules_come_first_and_are_validated() {
        let rules: Vec<ChannelRule> = serde_norway::from_str(
            "- group: Events\n  medium: [Fair, webinar]\n- group: Brand Search\n  medium: [cpc]\n  campaign_contains: [brand]\n",
        )
        .unwrap();
        let g = ChannelGrouper::with_rules(rules).unwrap();
        assert_eq!(g.group(Some("x"), Some("fair"), None), "Events");
        assert_eq!(
            g.group(Some("google"), Some("cpc"), Some("Brand-FI")),
            "Brand Search"
        );
        assert_eq!(
            g.group(Some("google"), Some("cpc"), Some("generic")),
            PAID_SEARCH
        );
        assert!(
            ChannelGrouper::with_rules(vec![ChannelRule {
                group: "x".into(),
                ..ChannelRule::default()
            }])
            .is_err()
        );
        assert!(serde_norway::from_str::<Vec<ChannelRule>>("- group: x\n  sauce: [a]\n").is_err());
    }

    #[test]
    fn referrers_give_source_and_medium() {
        assert_eq!(
            from_referrer("https://www.google.fi/", None),
            Some(("google".into(), "organic"))
        );
        assert_eq!(
            from_referrer("https://duunitori.fi/x", None),
            Some(("duunitori.fi".into(), "referral"))
        );
        assert_eq!(
            from_referrer(
                "https://shop.example.com/a",
                Some("https://shop.example.com/b")
            ),
            None
        );
        assert_eq!(from_referrer("/relative", None), None);
        assert_eq!(
            url_host("HTTP://user@WWW.Example.com:8080/x?y"),
            Some("example.com".into())
        );
    }

    /// `host_slice` as a chain of splits: slower, plainly right.
    fn host_by_splitting(url: &str) -> Option<&str> {
        let rest = url.trim().split_once("://").map(|(_, r)| r)?;
        let host = rest.split(['/', '?', '#']).next()?;
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = host.split(':').next()?;
        let host = match host.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("www.") => &host[4..],
            _ => host,
        };
        (!host.is_empty()).then_some(host)
    }

    proptest::proptest! {
        #[test]
        fn host_slice_reads_what_splitting_reads(
            scheme in proptest::sample::select(vec!["", "https://", " HTTP://WWW.", "a:b://", "://"]),
            rest in "[ \\ta-zA-Z0-9:/?#@.%ä\u{a0}-]{0,30}",
        ) {
            let url = format!("{scheme}{rest}");
            proptest::prop_assert_eq!(host_slice(&url), host_by_splitting(&url));
        }
    }

    #[test]
    fn the_table_is_complete() {
        assert_eq!(categories().len(), 819);
        assert_eq!(source_category("google"), Some(SourceCategory::Search));
        assert_eq!(
            source_category("www.google.fi"),
            Some(SourceCategory::Search)
        );
        assert_eq!(
            source_category("m.facebook.com"),
            Some(SourceCategory::Social)
        );
    }
}
