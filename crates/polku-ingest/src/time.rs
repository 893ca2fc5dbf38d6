//! Reading timestamps in the forms exports use.
//!
//! Accepted, all turned into UTC microseconds:
//! - ISO 8601 / RFC 3339: `2025-03-01T12:30:00Z`, `2025-03-01T14:30:00.123+02:00`, `…+0200`;
//! - `YYYY-MM-DD HH:MM[:SS[.fff]]` (also with `/` between the date parts);
//! - a date alone, `YYYY-MM-DD`, meaning local midnight;
//! - the Finnish form `D.M.YYYY[ HH:MM[:SS]]`, and `YYYYMMDD` (GA4's `event_date`);
//! - epoch numbers: seconds (up to 11 digits, optionally with a fraction), milliseconds (up to
//!   14 digits), microseconds (up to 17) or nanoseconds.
//!
//! A time without an offset is local time in the import's time zone (`--timezone`, default
//! Europe/Helsinki). In the autumn's repeated hour the earlier instant is taken; a time in the
//! spring's skipped hour does not exist and is an error.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// The default time zone for times without an offset.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Europe::Helsinki;

const MICROS_PER_SEC: i64 = 1_000_000;

/// Parses timestamps for one import.
#[derive(Debug, Clone, Copy)]
pub struct TimeParser {
    tz: Tz,
}

impl Default for TimeParser {
    fn default() -> Self {
        TimeParser {
            tz: DEFAULT_TIMEZONE,
        }
    }
}

/// Parses a time zone name such as `Europe/Helsinki` or `UTC`.
///
/// # Errors
/// When the name is not in the IANA time zone database.
pub fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone `{name}`: use an IANA name such as Europe/Helsinki or UTC")
    })
}

struct Digits<'a> {
    b: &'a [u8],
    i: usize,
}

impl Digits<'_> {
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form most exports write, read without the general parser:
/// `None` for anything else, including dates and times out of range, which the general parser
/// then reads or rejects.
fn utc_fast(b: &[u8]) -> Option<i64> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        b'Z',
    ] = *b
    else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = i32::try_from(two(y0, y1)? * 100 + two(y2, y3)?).ok()?;
    // `and_hms_opt` takes no leap second: the general parser reads those.
    let time = NaiveDate::from_ymd_opt(year, two(m0, m1)?, two(d0, d1)?)?.and_hms_opt(
        two(h0, h1)?,
        two(i0, i1)?,
        two(s0, s1)?,
    )?;
    Some(time.and_utc().timestamp_micros())
}

impl TimeParser {
    /// A parser that reads times without an offset in `tz`.
    #[must_use]
    pub fn new(tz: Tz) -> Self {
        TimeParser { tz }
    }

    /// The time zone of times without an offset.
    #[must_use]
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Parses one timestamp into UTC microseconds.
    ///
    /// # Errors
    /// A message that says which forms are accepted.
    pub fn parse(&self, text: &str) -> Result<i64, String> {
        if let Some(us) = utc_fast(text.as_bytes()) {
            return check_range(us, text);
        }
        let s = text.trim();
        if s.is_empty() {
            return Err("empty time".into());
        }
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let is_number = !unsigned.is_empty()
            && unsigned.bytes().all(|c| c.is_ascii_digit() || c == b'.')
            && unsigned.bytes().filter(|c| *c == b'.').count() <= 1
            && !unsigned.starts_with('.')
            && !unsigned.ends_with('.');
        if is_number {
            // `YYYYMMDD` (GA4's event_date): eight digits are a 1970s epoch otherwise.
            if s.len() == 8 && (s.starts_with("19") || s.starts_with("20") || s.starts_with("21")) {
                let n: u32 = s.parse().unwrap_or(0);
                if let Some(date) = NaiveDate::from_ymd_opt(
                    i32::try_from(n / 10_000).unwrap_or(0),
                    n / 100 % 100,
                    n % 100,
                ) {
                    return self.local(date.and_time(NaiveTime::MIN), s);
                }
            }
            return self.epoch(s);
        }
        self.calendar(s).ok_or_else(|| {
            format!(
                "cannot read `{}` as a time: use ISO 8601 (2025-03-01T12:30:00Z), \
                 YYYY-MM-DD HH:MM:SS, YYYY-MM-DD, D.M.YYYY HH:MM or epoch seconds/milliseconds",
                truncate(s)
            )
        })?
    }

    /// Reads a number as epoch seconds, milliseconds, microseconds or nanoseconds by its size.
    fn epoch(&self, s: &str) -> Result<i64, String> {
        let bad = || format!("cannot read `{}` as an epoch time", truncate(s));
        if let Some((int, frac)) = s.split_once('.') {
            let secs: i64 = int.parse().map_err(|_| bad())?;
            if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let mut micros: i64 = 0;
            for (i, c) in frac.bytes().take(6).enumerate() {
                micros += i64::from(c - b'0') * 10_i64.pow(5 - u32::try_from(i).unwrap_or(5));
            }
            let us = secs
                .checked_mul(MICROS_PER_SEC)
                .and_then(|v| v.checked_add(if secs < 0 { -micros } else { micros }));
            return us.ok_or_else(bad).and_then(|us| check_range(us, s));
        }
        let n: i64 = s.parse().map_err(|_| bad())?;
        let abs = n.unsigned_abs();
        let us = if abs < 100_000_000_000 {
            n.checked_mul(MICROS_PER_SEC)
        } else if abs < 100_000_000_000_000 {
            n.checked_mul(1000)
        } else if abs < 100_000_000_000_000_000 {
            Some(n)
        } else {
            Some(n / 1000)
        };
        us.ok_or_else(bad).and_then(|us| check_range(us, s))
    }

    fn calendar(&self, s: &str) -> Option<Result<i64, String>> {
        let mut d = Digits {
            b: s.as_bytes(),
            i: 0,
        };
        // Date: YYYY-MM-DD, YYYY/MM/DD or D.M.YYYY.
        let first = d.num(1, 4)?;
        let (year, month, day);
        if d.i == 4 && (d.eat(b'-') || d.eat(b'/')) {
            let sep = d.b[d.i - 1];
            year = first;
            month = d.num(1, 2)?;
            if !d.eat(sep) {
                return None;
            }
            day = d.num(1, 2)?;
        } else if d.i <= 2 && d.eat(b'.') {
            day = first;
            month = d.num(1, 2)?;
            if !d.eat(b'.') {
                return None;
            }
            year = d.num(4, 4)?;
        } else {
            return None;
        }
        let Some(date) = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day) else {
            return Some(Err(format!("`{}` is not a calendar date", truncate(s))));
        };
        if d.done() {
            return Some(self.local(date.and_time(NaiveTime::MIN), s));
        }
        if !(d.eat(b'T') || d.eat(b't') || d.eat(b' ')) {
            return None;
        }
        let hour = d.num(1, 2)?;
        if !d.eat(b':') {
            return None;
        }
        let minute = d.num(2, 2)?;
        let mut second = 0;
        let mut micros = 0u32;
        if d.eat(b':') {
            second = d.num(2, 2)?;
            if d.eat(b'.') || d.eat(b',') {
                let start = d.i;
                let frac = d.num(1, 9)?;
                let len = d.i - start;
                micros = if len >= 6 {
                    frac / 10u32.pow(u32::try_from(len - 6).ok()?)
                } else {
                    frac * 10u32.pow(u32::try_from(6 - len).ok()?)
                };
            }
        }
        let Some(time) = NaiveTime::from_hms_micro_opt(hour, minute, second.min(59), micros) else {
            return Some(Err(format!("`{}` is not a clock time", truncate(s))));
        };
        let naive = NaiveDateTime::new(date, time);
        // Offset.
        while d.peek() == Some(b' ') {
            d.i += 1;
        }
        if d.done() {
            return Some(self.local(naive, s));
        }
        let rest = &s[d.i..];
        if rest == "Z"
            || rest == "z"
            || rest.eq_ignore_ascii_case("UTC")
            || rest.eq_ignore_ascii_case("GMT")
        {
            return Some(to_micros(naive.and_utc().timestamp_micros(), s));
        }
        let sign = match d.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        d.i += 1;
        let oh = d.num(2, 2)?;
        d.eat(b':');
        let om = if d.done() { 0 } else { d.num(2, 2)? };
        if !d.done() || oh > 23 || om > 59 {
            return None;
        }
        let offset = sign * i64::from(oh * 3600 + om * 60) * MICROS_PER_SEC;
        Some(to_micros(naive.and_utc().timestamp_micros() - offset, s))
    }

    fn local(&self, naive: NaiveDateTime, s: &str) -> Result<i64, String> {
        match self.tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                to_micros(t.timestamp_micros(), s)
            }
            chrono::LocalResult::None => Err(format!(
                "`{}` does not exist in {} (the clocks moved forward); give the offset, e.g. {}+03:00",
                truncate(s),
                self.tz.name(),
                naive.format("%Y-%m-%dT%H:%M:%S")
            )),
        }
    }
}

fn to_micros(us: i64, s: &str) -> Result<i64, String> {
    check_range(us, s)
}

/// Times before 1970 or after 2199 are almost surely misread values.
const MIN_US: i64 = 0;
const MAX_US: i64 = 7_258_118_400 * MICROS_PER_SEC; // 2200-01-01

pub(crate) fn check_range(us: i64, s: &str) -> Result<i64, String> {
    if (MIN_US..MAX_US).contains(&us) {
        Ok(us)
    } else {
        Err(format!("time `{}` is outside 1970–2199", truncate(s)))
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

/// Days since 1970-01-01 for a `YYYY-MM-DD` (or any accepted time's local date).
///
/// # Errors
/// When the text is not a date or time.
pub fn parse_date(parser: &TimeParser, text: &str) -> Result<i32, String> {
    let us = parser.parse(text)?;
    let local = parser
        .tz
        .timestamp_micros(us)
        .single()
        .ok_or("time out of range")?;
    let days = local
        .date_naive()
        .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
        .num_days();
    i32::try_from(days).map_err(|_| "date out of range".to_owned())
}

/// Formats UTC microseconds as RFC 3339, e.g. `2025-03-01T10:30:00Z`.
#[must_use]
pub fn format_micros(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn the_fast_utc_form_reads_as_the_general_parser_does(
            year in 0u32..10_000, month in 0u32..14, day in 0u32..33,
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
            let general = TimeParser::new(chrono_tz::UTC).calendar(&text);
            match utc_fast(text.as_bytes()) {
                Some(us) => proptest::prop_assert_eq!(general, Some(check_range(us, &text))),
                // Out of range, or a leap second (60 or more): left to the general parser.
                None => proptest::prop_assert!(
                    second >= 60 || !matches!(general, Some(Ok(_))),
                    "{}",
                    text
                ),
            }
        }
    }

    use rstest::rstest;

    use super::*;

    const H: i64 = 3600 * MICROS_PER_SEC;
    // 2025-03-01T12:30:00Z
    const T: i64 = 1_740_832_200 * MICROS_PER_SEC;

    #[rstest]
    #[case("2025-03-01T12:30:00Z", T)]
    #[case("2025-03-01T12:30:00.250Z", T + 250_000)]
    #[case("2025-03-01T14:30:00+02:00", T)]
    #[case("2025-03-01T14:30:00+0200", T)]
    #[case("2025-03-01T07:30:00-05", T)]
    #[case("2025-03-01 14:30:00", T)] // Helsinki is UTC+2 in March
    #[case("2025-03-01 14:30", T)]
    #[case("2025/03/01 14:30:00", T)]
    #[case("1.3.2025 14:30", T)]
    #[case("01.03.2025 14:30:00", T)]
    #[case("2025-03-01", T - 14 * H - 30 * 60 * MICROS_PER_SEC)]
    #[case("20250301", T - 14 * H - 30 * 60 * MICROS_PER_SEC)]
    #[case("1740832200", T)]
    #[case("1740832200000", T)]
    #[case("1740832200000000", T)]
    #[case("1740832200000000000", T)]
    #[case("1740832200.5", T + 500_000)]
    #[case(" 2025-03-01T12:30:00 UTC ", T)]
    fn reads_every_accepted_form(#[case] text: &str, #[case] want: i64) {
        assert_eq!(TimeParser::default().parse(text), Ok(want), "{text}");
    }

    #[rstest]
    #[case("yesterday")]
    #[case("2025-13-01")]
    #[case("2025-02-30 10:00")]
    #[case("2025-03-01T25:00:00")]
    #[case("2025-03-01T12:30:00+99:00")]
    #[case("")]
    #[case("12.5.25")]
    #[case("-5")]
    #[case("99999999999999999999")]
    #[case("2025-03-30 03:30:00")] // the skipped hour in Helsinki
    fn rejects_bad_times(#[case] text: &str) {
        assert!(TimeParser::default().parse(text).is_err(), "{text}");
    }

    #[test]
    fn naive_times_use_the_given_zone_and_the_earlier_repeated_hour() {
        let utc = TimeParser::new(chrono_tz::UTC);
        assert_eq!(utc.parse("2025-03-01 12:30:00"), Ok(T));
        let hel = TimeParser::default();
        // 2025-10-26 03:30 happens twice in Helsinki; the first is at 00:30 UTC.
        assert_eq!(
            hel.parse("2025-10-26 03:30:00"),
            utc.parse("2025-10-26 00:30:00")
        );
        assert!(parse_timezone("Mars/Olympus").is_err());
        assert_eq!(
            parse_timezone("America/New_York").unwrap().name(),
            "America/New_York"
        );
    }

    #[test]
    fn dates_are_local_days() {
        let p = TimeParser::default();
        assert_eq!(parse_date(&p, "1970-01-02"), Ok(1));
        assert_eq!(format_micros(T), "2025-03-01T12:30:00Z");
    }
}
