//! Times as the journey commands take them: durations, dates and calendar periods.
//!
//! Every time is an `i64` of UTC microseconds, as in the event table.

use chrono::{Datelike, NaiveDate};

use crate::error::{AnalyticsError, Result};
use crate::session::TimeRange;

/// Microseconds in a second.
pub const SECOND_US: i64 = 1_000_000;
/// Microseconds in a day.
pub const DAY_US: i64 = 86_400 * SECOND_US;

/// Parses a duration such as `90s`, `30m`, `2h`, `7d`, `2w` or `1h30m` (a bare number is
/// seconds) into microseconds.
///
/// # Errors
/// When the text is not such a duration.
pub fn parse_duration(text: &str) -> Result<i64> {
    let bad = || {
        AnalyticsError::invalid(format!(
            "`{text}` is not a duration: use e.g. 90s, 30m, 2h, 7d, 2w or 1h30m"
        ))
    };
    let s = text.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = s.parse::<i64>() {
        return seconds.checked_mul(SECOND_US).ok_or_else(bad);
    }
    let mut total: i64 = 0;
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "s" | "sec" => SECOND_US,
            "m" | "min" => 60 * SECOND_US,
            "h" => 3600 * SECOND_US,
            "d" => DAY_US,
            "w" => 7 * DAY_US,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// Parses a date `YYYY-MM-DD` into the microsecond of its UTC midnight.
///
/// # Errors
/// When the text is not such a date.
pub fn parse_date(text: &str) -> Result<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AnalyticsError::invalid(format!("`{text}` is not a date: use YYYY-MM-DD")))?;
    Ok(days_to_us(days_from_epoch(date)))
}

/// The time range of `--from` and `--to` dates, both inclusive.
///
/// # Errors
/// When a date does not parse, or `to` is before `from`.
pub fn date_range(from: Option<&str>, to: Option<&str>) -> Result<TimeRange> {
    let from_us = from.map(parse_date).transpose()?;
    let to_us = to.map(|t| parse_date(t).map(|d| d + DAY_US)).transpose()?;
    if let (Some(f), Some(t)) = (from_us, to_us)
        && t <= f
    {
        return Err(AnalyticsError::invalid("--to is before --from"));
    }
    Ok(TimeRange { from_us, to_us })
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn days_from_epoch(date: NaiveDate) -> i64 {
    (date - epoch()).num_days()
}

fn days_to_us(days: i64) -> i64 {
    days * DAY_US
}

/// The calendar periods of cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Period {
    /// UTC days.
    Day,
    /// ISO weeks, Monday to Sunday (UTC).
    #[default]
    Week,
    /// Calendar months (UTC).
    Month,
}

impl Period {
    /// The period's command-line name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The number of the period a time falls in, counted from the epoch.
    #[must_use]
    pub fn index(self, time_us: i64) -> i64 {
        let day = time_us.div_euclid(DAY_US);
        match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: shift so that weeks start on Monday.
            Period::Week => (day + 3).div_euclid(7),
            Period::Month => {
                let date = epoch() + chrono::Duration::days(day);
                i64::from(date.year()) * 12 + i64::from(date.month0())
            }
        }
    }

    /// The first day of a period, as `YYYY-MM-DD` (`YYYY-MM` for months).
    #[must_use]
    pub fn label(self, index: i64) -> String {
        match self {
            Period::Day => (epoch() + chrono::Duration::days(index))
                .format("%Y-%m-%d")
                .to_string(),
            Period::Week => (epoch() + chrono::Duration::days(index * 7 - 3))
                .format("%Y-%m-%d")
                .to_string(),
            Period::Month => format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90 * SECOND_US);
        assert_eq!(parse_duration("30m").unwrap(), 1800 * SECOND_US);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400 * SECOND_US);
        assert_eq!(parse_duration("7d").unwrap(), 7 * DAY_US);
        assert_eq!(parse_duration("2w").unwrap(), 14 * DAY_US);
        assert_eq!(parse_duration("45").unwrap(), 45 * SECOND_US);
        for bad in ["", "h", "3x", "1.5h", "-1h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_ranges() {
        assert_eq!(parse_date("1970-01-02").unwrap(), DAY_US);
        let r = date_range(Some("2026-01-01"), Some("2026-01-01")).unwrap();
        assert_eq!(r.to_us.unwrap() - r.from_us.unwrap(), DAY_US);
        assert!(date_range(Some("2026-01-02"), Some("2026-01-01")).is_err());
        assert!(parse_date("1.1.2026").is_err());
    }

    #[test]
    fn periods() {
        let t = parse_date("2026-03-04").unwrap(); // a Wednesday
        assert_eq!(Period::Day.label(Period::Day.index(t)), "2026-03-04");
        assert_eq!(Period::Week.label(Period::Week.index(t)), "2026-03-02");
        assert_eq!(Period::Month.label(Period::Month.index(t)), "2026-03");
        let sunday = parse_date("2026-03-08").unwrap();
        let monday = parse_date("2026-03-09").unwrap();
        assert_eq!(Period::Week.index(t), Period::Week.index(sunday));
        assert_eq!(Period::Week.index(sunday) + 1, Period::Week.index(monday));
        let dec = parse_date("2025-12-31").unwrap();
        assert_eq!(Period::Month.index(dec) + 3, Period::Month.index(t));
        let before = parse_date("1969-12-29").unwrap(); // a Monday
        assert_eq!(Period::Week.label(Period::Week.index(before)), "1969-12-29");
    }
}
