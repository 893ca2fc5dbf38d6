//! The canonical event fields and how source columns map onto them.
//!
//! A column is mapped to a field by `--map FIELD=COLUMN`, or inferred from its name: the
//! header is compared, lower-cased and stripped of everything but letters and digits, with
//! each field's list of common names (`utm_source` → `source`, `client_id` →
//! `anonymous_id`...). Columns that map to no field go into the event's properties.

use std::fmt;
use std::str::FromStr;

use crate::error::IngestError;

/// A canonical event field a source column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The source's event id.
    EventId,
    /// Device or cookie id.
    AnonymousId,
    /// Known user id.
    UserId,
    /// When it happened.
    Time,
    /// The event name.
    Event,
    /// A channel group given by the source.
    ChannelGroup,
    /// Traffic source.
    Source,
    /// Traffic medium.
    Medium,
    /// Campaign.
    Campaign,
    /// Page URL or path.
    Url,
    /// Referring URL.
    Referrer,
    /// Session id.
    Session,
    /// Monetary value.
    Value,
    /// Currency of the value.
    Currency,
}

impl Field {
    /// Every field, in inference order.
    pub const ALL: [Field; 14] = [
        Field::EventId,
        Field::Time,
        Field::Event,
        Field::AnonymousId,
        Field::UserId,
        Field::Session,
        Field::ChannelGroup,
        Field::Source,
        Field::Medium,
        Field::Campaign,
        Field::Url,
        Field::Referrer,
        Field::Value,
        Field::Currency,
    ];

    /// The field's name in `--map` and in the event table.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::EventId => "event_id",
            Field::AnonymousId => "anonymous_id",
            Field::UserId => "user_id",
            Field::Time => "time",
            Field::Event => "event",
            Field::ChannelGroup => "channel_group",
            Field::Source => "source",
            Field::Medium => "medium",
            Field::Campaign => "campaign",
            Field::Url => "url",
            Field::Referrer => "referrer",
            Field::Session => "session",
            Field::Value => "value",
            Field::Currency => "currency",
        }
    }

    /// Normalised column names the field is inferred from, best first.
    #[must_use]
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::EventId => &[
                "eventid",
                "messageid",
                "eventuuid",
                "insertid",
                "hitid",
                "uuid",
            ],
            Field::AnonymousId => &[
                "anonymousid",
                "anonid",
                "userpseudoid",
                "clientid",
                "visitorid",
                "domainuserid",
                "deviceid",
                "cookieid",
                "cid",
            ],
            Field::UserId => &[
                "userid",
                "customerid",
                "contactid",
                "leadid",
                "crmid",
                "email",
                "emailaddress",
            ],
            Field::Time => &[
                "time",
                "timestamp",
                "eventtime",
                "eventtimestamp",
                "datetime",
                "occurredat",
                "createdat",
                "createddate",
                "derivedtstamp",
                "collectortstamp",
                "ts",
                "date",
                "originaltimestamp",
                "receivedat",
                "sentat",
            ],
            Field::Event => &[
                "event",
                "eventname",
                "eventtype",
                "eventaction",
                "action",
                "type",
            ],
            Field::ChannelGroup => &[
                "channelgroup",
                "defaultchannelgroup",
                "channelgrouping",
                "channel",
            ],
            Field::Source => &[
                "source",
                "utmsource",
                "trafficsource",
                "mktsource",
                "sessionsource",
                "leadsource",
            ],
            Field::Medium => &["medium", "utmmedium", "mktmedium", "sessionmedium"],
            Field::Campaign => &["campaign", "utmcampaign", "campaignname", "mktcampaign"],
            Field::Url => &[
                "url",
                "pageurl",
                "pagelocation",
                "page",
                "pagepath",
                "pageurlpath",
                "path",
                "landingpage",
                "location",
            ],
            Field::Referrer => &[
                "referrer",
                "referer",
                "pagereferrer",
                "pagereferer",
                "refrurl",
                "documentreferrer",
            ],
            Field::Session => &[
                "session",
                "sessionid",
                "visitid",
                "domainsessionid",
                "gasessionid",
            ],
            Field::Value => &[
                "value",
                "revenue",
                "eventvalue",
                "purchaserevenue",
                "ordervalue",
                "trtotal",
                "dealvalue",
                "amount",
                "total",
            ],
            Field::Currency => &["currency", "currencycode", "trcurrency"],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Field {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let wanted = if s == "page" { "url" } else { s };
        Field::ALL
            .into_iter()
            .find(|f| f.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
                IngestError::Usage(format!(
                    "unknown field `{s}` in --map: use one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// Lower-cases a column name and drops everything but letters and digits.
#[must_use]
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What fills a field: a column of the input, or a constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSource {
    /// The column with this name (for JSON input: a dotted path).
    Column(String),
    /// The same value for every row, written `'VALUE'` in `--map`.
    Constant(String),
    /// Nothing: the field is not inferred (`--map FIELD=`).
    Nothing,
}

/// One `--map FIELD=COLUMN` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapSpec {
    /// The canonical field.
    pub field: Field,
    /// What fills it.
    pub source: FieldSource,
}

impl FromStr for MapSpec {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((field, column)) = s.split_once('=') else {
            return Err(IngestError::Usage(format!(
                "--map `{s}` needs FIELD=COLUMN, e.g. --map time=created_at"
            )));
        };
        let field: Field = field.parse()?;
        let column = column.trim();
        let source = if column.is_empty() {
            FieldSource::Nothing
        } else if column.len() >= 2 && column.starts_with('\'') && column.ends_with('\'') {
            FieldSource::Constant(column[1..column.len() - 1].to_owned())
        } else {
            FieldSource::Column(column.to_owned())
        };
        Ok(MapSpec { field, source })
    }
}

/// Which column of a header fills which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// Per field: the column index, or a constant.
    pub fields: Vec<(Field, Resolved)>,
    /// Columns that fill no field: they go into the properties.
    pub rest: Vec<usize>,
}

/// A resolved field source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Column index in the header.
    Column(usize),
    /// A constant.
    Constant(String),
}

impl ColumnMapping {
    /// Maps `header` onto the fields: explicit `specs` first, then inference. Errors name the
    /// header line.
    ///
    /// # Errors
    /// When a `--map` column is not in the header, or no time or event column is found.
    pub fn resolve(header: &[String], specs: &[MapSpec]) -> Result<Self, String> {
        let mut used = vec![false; header.len()];
        let mut fields: Vec<(Field, Resolved)> = Vec::new();
        let mut disabled: Vec<Field> = Vec::new();
        for spec in specs {
            match &spec.source {
                FieldSource::Nothing => disabled.push(spec.field),
                FieldSource::Constant(c) => {
                    fields.push((spec.field, Resolved::Constant(c.clone())))
                }
                FieldSource::Column(name) => {
                    let idx = header
                        .iter()
                        .position(|h| h == name)
                        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)));
                    let Some(idx) = idx else {
                        let suggestion = header
                            .iter()
                            .find(|h| normalize_name(h) == normalize_name(name))
                            .map(|h| format!(" (did you mean `{h}`?)"))
                            .unwrap_or_default();
                        return Err(format!(
                            "--map {}={name}: no column `{name}` in the header{suggestion}; columns: {}",
                            spec.field,
                            header.join(", ")
                        ));
                    };
                    used[idx] = true;
                    fields.retain(|(f, _)| *f != spec.field);
                    fields.push((spec.field, Resolved::Column(idx)));
                }
            }
        }
        let normalized: Vec<String> = header.iter().map(|h| normalize_name(h)).collect();
        for field in Field::ALL {
            if disabled.contains(&field) || fields.iter().any(|(f, _)| *f == field) {
                continue;
            }
            'syn: for syn in field.synonyms() {
                for (i, n) in normalized.iter().enumerate() {
                    if !used[i] && n == syn {
                        used[i] = true;
                        fields.push((field, Resolved::Column(i)));
                        break 'syn;
                    }
                }
            }
        }
        for required in [Field::Time, Field::Event] {
            if !fields.iter().any(|(f, _)| *f == required) {
                return Err(format!(
                    "no {required} column found among {}: name one with --map {required}=COLUMN{}",
                    header.join(", "),
                    if required == Field::Event {
                        " or give a constant, --map \"event='lead_created'\""
                    } else {
                        ""
                    }
                ));
            }
        }
        let rest = (0..header.len()).filter(|i| !used[*i]).collect();
        Ok(ColumnMapping { fields, rest })
    }

    /// The source of a field, if any.
    #[must_use]
    pub fn get(&self, field: Field) -> Option<&Resolved> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn infers_common_names() {
        let h = header(&[
            "Timestamp",
            "Event Name",
            "client_id",
            "utm_source",
            "utm_medium",
            "Page URL",
            "plan",
        ]);
        let m = ColumnMapping::resolve(&h, &[]).unwrap();
        assert_eq!(m.get(Field::Time), Some(&Resolved::Column(0)));
        assert_eq!(m.get(Field::Event), Some(&Resolved::Column(1)));
        assert_eq!(m.get(Field::AnonymousId), Some(&Resolved::Column(2)));
        assert_eq!(m.get(Field::Source), Some(&Resolved::Column(3)));
        assert_eq!(m.get(Field::Url), Some(&Resolved::Column(5)));
        assert_eq!(m.rest, vec![6]);
    }

    #[test]
    fn explicit_maps_win_and_constants_work() {
        let h = header(&["when", "kind", "ts"]);
        let specs: Vec<MapSpec> = vec![
            "time=when".parse().unwrap(),
            "event='lead_created'".parse().unwrap(),
            "session=".parse().unwrap(),
        ];
        let m = ColumnMapping::resolve(&h, &specs).unwrap();
        assert_eq!(m.get(Field::Time), Some(&Resolved::Column(0)));
        assert_eq!(
            m.get(Field::Event),
            Some(&Resolved::Constant("lead_created".into()))
        );
        assert_eq!(m.rest, vec![1, 2]);
    }

    #[test]
    fn missing_columns_are_named() {
        let h = header(&["when", "what"]);
        let err = ColumnMapping::resolve(&h, &["time=When_".parse().unwrap()]).unwrap_err();
        assert!(err.contains("no column `When_`"), "{err}");
        let err = ColumnMapping::resolve(&h, &[]).unwrap_err();
        assert!(err.starts_with("no time column"), "{err}");
        assert!("nope=x".parse::<MapSpec>().is_err());
    }
}
