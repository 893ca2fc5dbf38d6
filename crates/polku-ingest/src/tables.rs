//! Ad costs, survey answers and interviews: the tables beside the events.
//!
//! These files are small (a row per campaign and day, per answer, per interview step), so each
//! is read whole, checked, and written as one Parquet file of its table. Like events, an
//! import is all or nothing, errors read `FILE:LINE:COLUMN: message`, and importing the same
//! rows again adds nothing: every row has a content hash (`row_id`). An interview imported
//! again with changed steps replaces the earlier version of that interview.
//!
//! - **Costs** (CSV): `date`, `spend` (or `cost`, `amount spent (EUR)`...), and any of
//!   `channel`, `source`, `medium`, `campaign`, `impressions`, `clicks`, `currency`. Google Ads
//!   and Meta export headers are recognised. Without a channel the group is derived from
//!   source, medium and campaign as for events, the medium defaulting to paid.
//! - **Survey** (CSV): long (`respondent`, `question`, `answer`, optional `submitted_at`) or
//!   wide (a respondent column, an optional time column, one column per question). Answers to
//!   "how did you hear about us" questions get a `reported_channel`, to compare with tracked
//!   channels.
//! - **Interviews** (YAML, or CSV with one row per step): `id`, `interviewee`, `persona`,
//!   `date`, and ordered `steps` with `touchpoint`, `stage`, `emotion` (−3…+3), `success`,
//!   `joy`, `failure`, `notes`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Date32Builder, Float64Builder, Int8Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use polku_model::{EMOTION_MAX, EMOTION_MIN};
use polku_store::app_db::{AppDb, ImportCommit, ImportRecord, now_rfc3339};
use polku_store::privacy::PseudonymKey;
use polku_store::schema::{Table, interview_col};
use polku_store::{DataError, EventStore};
use serde::Deserialize;

use crate::channel::{
    ChannelGrouper, ChannelRule, SourceCategory, group, source_category, workspace_rules,
};
use crate::error::{IngestError, MAX_REPORTED_ERRORS, RowError};
use crate::field::normalize_name;
use crate::import::{current_user, new_import_id};
use crate::io::HashingReader;
use crate::row::{parse_currency, parse_number};
use crate::time::{DEFAULT_TIMEZONE, TimeParser, parse_date};

/// Options of `polku import costs|survey|interviews`.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// CSV delimiter; sniffed when `None`.
    pub delimiter: Option<u8>,
    /// The time zone of times without an offset.
    pub timezone: chrono_tz::Tz,
    /// Replace respondent and interviewee identifiers by keyed pseudonyms.
    pub pseudonymize: bool,
    /// Who runs the import.
    pub user: String,
    /// The currency of costs when the file names none.
    pub currency: Option<String>,
    /// Channel rules; read from `polku.yaml` when `None`.
    pub channel_rules: Option<Vec<ChannelRule>>,
    /// Import the good rows and write the bad ones, each with its line, column and reason, to
    /// this CSV file; without it one bad row stops the import.
    pub quarantine: Option<PathBuf>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            delimiter: None,
            timezone: DEFAULT_TIMEZONE,
            pseudonymize: false,
            user: current_user(),
            currency: None,
            channel_rules: None,
            quarantine: None,
        }
    }
}

/// What a table import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    /// The import's id.
    pub import_id: String,
    /// The table.
    pub table: Table,
    /// `sha256:HEX` of the file.
    pub file_hash: String,
    /// Rows read (answers, for a wide survey; steps, for interviews).
    pub rows_read: u64,
    /// Rows added.
    pub added: u64,
    /// Rows already stored.
    pub duplicates: u64,
    /// Older rows replaced (interviews imported again with changes).
    pub replaced: u64,
    /// Bad lines written to the quarantine file.
    pub quarantined: u64,
}

struct Errors {
    file: String,
    list: Vec<RowError>,
    /// Bad rows go to a quarantine file, so every one of them is kept, not only the first
    /// [`MAX_REPORTED_ERRORS`].
    quarantining: bool,
}

impl Errors {
    fn new(file: String, quarantine: Option<&Path>) -> Self {
        Errors {
            file,
            list: Vec::new(),
            quarantining: quarantine.is_some(),
        }
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    fn push(
        &mut self,
        line: u64,
        column: &str,
        message: impl Into<String>,
    ) -> Result<(), IngestError> {
        self.list.push(RowError {
            file: self.file.clone(),
            line,
            column: column.to_owned(),
            message: message.into(),
        });
        if !self.quarantining && self.list.len() >= MAX_REPORTED_ERRORS {
            return Err(IngestError::BadRows(std::mem::take(&mut self.list)));
        }
        Ok(())
    }
    fn finish(self) -> Result<(), IngestError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(IngestError::BadRows(self.list))
        }
    }

    /// Without a quarantine file, as [`Errors::finish`]. With one, writes every bad line there
    /// (line, column, reason, then the line's own fields under the file's header) and returns
    /// how many lines went there.
    fn finish_into(
        mut self,
        quarantine: Option<&Path>,
        csv: Option<&SmallCsv>,
    ) -> Result<u64, IngestError> {
        let Some(path) = quarantine else {
            self.finish()?;
            return Ok(0);
        };
        if self.list.is_empty() {
            return Ok(0);
        }
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(fs_err::File::create(path)?);
        let mut head = vec!["line".to_owned(), "column".to_owned(), "error".to_owned()];
        if let Some(csv) = csv {
            head.extend(csv.header.iter().cloned());
        }
        let io = |e: csv::Error| IngestError::Io(std::io::Error::other(e));
        // In file order, whichever check found the problem first.
        self.list.sort_by_key(|e| e.line);
        out.write_record(&head).map_err(io)?;
        let mut lines = HashSet::new();
        for err in &self.list {
            lines.insert(err.line);
            let mut record = vec![
                err.line.to_string(),
                err.column.clone(),
                err.message.clone(),
            ];
            if let Some(fields) = csv.and_then(|c| c.fields_of(err.line)) {
                record.extend(fields.iter().cloned());
            }
            out.write_record(&record).map_err(io)?;
        }
        out.flush()?;
        Ok(lines.len() as u64)
    }
}

/// A small CSV file read whole: its header and its records with their line numbers.
struct SmallCsv {
    header: Vec<String>,
    normalized: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
    /// Lines that could not become rows (wrong field count, bad UTF-8), as read, for the
    /// quarantine file.
    unreadable: Vec<(u64, Vec<String>)>,
}

fn read_small_csv(
    bytes: &[u8],
    delimiter: Option<u8>,
    errors: &mut Errors,
) -> Result<SmallCsv, IngestError> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let delimiter = delimiter.unwrap_or_else(|| crate::io::csv::sniff_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut records = reader.byte_records();
    let header: Vec<String> = match records.next() {
        None => {
            return Err(IngestError::File {
                file: errors.file.clone(),
                message: "the file is empty".into(),
            });
        }
        Some(r) => {
            let r = r.map_err(|e| IngestError::Io(std::io::Error::other(e.to_string())))?;
            r.iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                .collect()
        }
    };
    let normalized = header.iter().map(|h| normalize_name(h)).collect();
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for r in records {
        let r = r.map_err(|e| IngestError::Io(std::io::Error::other(e.to_string())))?;
        let line = r.position().map_or(0, csv::Position::line);
        if r.len() == 1 && r.get(0).is_some_and(<[u8]>::is_empty) {
            continue;
        }
        let as_read = || {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
        };
        if r.len() != header.len() {
            unreadable.push((line, as_read()));
            let col = header
                .get(r.len())
                .cloned()
                .unwrap_or_else(|| format!("#{}", header.len() + 1));
            errors.push(
                line,
                &col,
                format!(
                    "the row has {} fields, the header {}",
                    r.len(),
                    header.len()
                ),
            )?;
            continue;
        }
        let mut fields = Vec::with_capacity(r.len());
        let mut ok = true;
        for (i, f) in r.iter().enumerate() {
            if let Ok(s) = std::str::from_utf8(f) {
                fields.push(s.trim().to_owned());
            } else {
                errors.push(line, &header[i], "not valid UTF-8: save the file as UTF-8")?;
                unreadable.push((line, as_read()));
                ok = false;
                break;
            }
        }
        if ok {
            rows.push((line, fields));
        }
    }
    Ok(SmallCsv {
        header,
        normalized,
        rows,
        unreadable,
    })
}

impl SmallCsv {
    /// The fields of the record that starts on `line`.
    fn fields_of(&self, line: u64) -> Option<&[String]> {
        fn find(list: &[(u64, Vec<String>)], line: u64) -> Option<&[String]> {
            list.binary_search_by_key(&line, |(l, _)| *l)
                .ok()
                .map(|i| list[i].1.as_slice())
        }
        find(&self.rows, line).or_else(|| find(&self.unreadable, line))
    }

    /// The first column whose normalised name is one of `names` (or starts with one ending in
    /// `*`).
    fn find(&self, names: &[&str]) -> Option<usize> {
        for n in names {
            let found = if let Some(prefix) = n.strip_suffix('*') {
                self.normalized.iter().position(|h| h.starts_with(prefix))
            } else {
                self.normalized.iter().position(|h| h == n)
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

fn row_hash(parts: &[&str]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0x1f]);
    }
    format!("r-{:032x}", h.digest128())
}

/// Row ids that repeat within one file get their occurrence number, so identical rows stay
/// distinct and re-importing the file gives the same ids.
fn occurrence_ids(hashes: Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    hashes
        .into_iter()
        .map(|h| {
            let n = seen.entry(h.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { h } else { format!("{h}-{n}") }
        })
        .collect()
}

fn stored_row_ids(store: &EventStore, table: Table) -> Result<HashSet<String>, DataError> {
    let mut ids = HashSet::new();
    store.scan(table, Some(&["row_id"]), |_, b| {
        ids.extend(
            b.column(0)
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_owned),
        );
        Ok(())
    })?;
    Ok(ids)
}

/// Writes `batch` (its rows not yet stored) as a new file of `table` and logs the import.
#[allow(clippy::too_many_arguments)]
fn commit_table(
    store: &EventStore,
    db: &mut AppDb,
    table: Table,
    file: &Path,
    file_hash: String,
    format: &str,
    import_id: &str,
    batch: &RecordBatch,
    rows_read: u64,
    user: &str,
    pseudonymized: bool,
    started_at: String,
    quarantined: u64,
) -> Result<TableReport, IngestError> {
    let existing = stored_row_ids(store, table)?;
    let ids = batch.column(0).as_string::<i32>();
    let keep: BooleanArray = ids
        .iter()
        .map(|id| Some(!id.is_some_and(|i| existing.contains(i))))
        .collect();
    let fresh = arrow_select_filter(batch, &keep)?;
    let added = fresh.num_rows() as u64;
    let staging = store.stage(table, import_id)?;
    if added > 0 {
        let mut w = staging.create_file(&table.schema())?;
        w.write(&fresh)?;
        w.finish()?;
    }
    staging.publish()?;
    let record = ImportRecord {
        id: import_id.to_owned(),
        kind: table.name().to_owned(),
        file: file.display().to_string(),
        file_hash: file_hash.clone(),
        format: format.to_owned(),
        rows_read,
        rows_added: added,
        duplicates: batch.num_rows() as u64 - added,
        quarantined,
        started_at,
        finished_at: now_rfc3339(),
        user: user.to_owned(),
        pseudonymized,
    };
    if let Err(e) = db.commit_import(&ImportCommit {
        record: &record,
        new_links: &[],
        identity_map: None,
    }) {
        let _ = store.remove_import(import_id);
        return Err(e.into());
    }
    Ok(TableReport {
        import_id: import_id.to_owned(),
        table,
        file_hash,
        rows_read,
        added,
        duplicates: record.duplicates,
        replaced: 0,
        quarantined,
    })
}

fn arrow_select_filter(
    batch: &RecordBatch,
    keep: &BooleanArray,
) -> Result<RecordBatch, IngestError> {
    Ok(arrow_select::filter::filter_record_batch(batch, keep)?)
}

struct Prepared {
    store: EventStore,
    db: AppDb,
    bytes: Vec<u8>,
    file_hash: String,
    started_at: String,
    import_id: String,
    key: Option<PseudonymKey>,
}

fn prepare(
    root: &Path,
    file: &Path,
    pseudonymize: bool,
) -> Result<(Prepared, polku_store::events::DataLock), IngestError> {
    let started_at = now_rfc3339();
    let store = EventStore::open(root);
    let lock = store.lock()?;
    let mut db = AppDb::open(root)?;
    store.remove_orphans(&db.import_ids()?)?;
    let bytes = fs_err::read(file)?;
    let file_hash = HashingReader::new(bytes.as_slice()).finish()?;
    let key = if pseudonymize {
        Some(PseudonymKey::load_or_create(&mut db)?)
    } else {
        None
    };
    Ok((
        Prepared {
            store,
            db,
            bytes,
            file_hash,
            started_at,
            import_id: new_import_id(),
            key,
        },
        lock,
    ))
}

fn pseudo(key: Option<&PseudonymKey>, id: &str) -> String {
    match key {
        Some(k) if !PseudonymKey::is_pseudonym(id) => k.pseudonymize(id),
        _ => id.to_owned(),
    }
}

/// Imports an ad cost file.
///
/// # Errors
/// Bad values as [`IngestError::BadRows`]; I/O and store errors otherwise.
pub fn import_costs(
    root: &Path,
    file: &Path,
    opts: &TableOptions,
) -> Result<TableReport, IngestError> {
    let (mut p, _lock) = prepare(root, file, false)?;
    let mut errors = Errors::new(file.display().to_string(), opts.quarantine.as_deref());
    let csv = read_small_csv(&p.bytes, opts.delimiter, &mut errors)?;
    let col = |names: &[&str]| csv.find(names);
    let date_col = col(&[
        "date",
        "day",
        "reportingstarts",
        "reportstart",
        "startdate",
        "time",
    ]);
    let spend_col = col(&["spend", "cost", "amountspent*", "spend*", "cost*", "amount"]);
    let (Some(date_col), Some(spend_col)) = (date_col, spend_col) else {
        return Err(IngestError::BadRows(vec![RowError {
            file: errors.file.clone(),
            line: 1,
            column: "-".into(),
            message: format!(
                "a cost file needs a date and a spend (or cost) column; columns: {}",
                csv.header.join(", ")
            ),
        }]));
    };
    let channel_col = col(&["channel", "channelgroup", "defaultchannelgroup"]);
    let source_col = col(&[
        "source",
        "utmsource",
        "platform",
        "network",
        "publisherplatform",
    ]);
    let medium_col = col(&["medium", "utmmedium"]);
    let campaign_col = col(&["campaign", "campaignname", "utmcampaign"]);
    let impr_col = col(&["impressions", "impr", "imps"]);
    let clicks_col = col(&["clicks", "linkclicks"]);
    let currency_col = col(&["currency", "currencycode"]);
    // "Amount spent (EUR)": the currency in the header.
    let header_currency = csv.header[spend_col]
        .rsplit_once('(')
        .and_then(|(_, c)| c.strip_suffix(')'))
        .and_then(|c| parse_currency(c).ok().map(std::borrow::Cow::into_owned));
    let default_currency = match &opts.currency {
        Some(c) => Some(parse_currency(c).map_err(IngestError::Usage)?.into_owned()),
        None => header_currency,
    };
    let rules = match &opts.channel_rules {
        Some(r) => r.clone(),
        None => workspace_rules(root)?,
    };
    let grouper = ChannelGrouper::with_rules(rules).map_err(|m| IngestError::File {
        file: "polku.yaml".into(),
        message: m,
    })?;
    let parser = TimeParser::new(opts.timezone);

    let mut hashes = Vec::new();
    let mut date_b = Date32Builder::new();
    let (mut group_b, mut source_b, mut medium_b, mut campaign_b, mut currency_b) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut impr_b, mut clicks_b, mut spend_b) = (
        Int64Builder::new(),
        Int64Builder::new(),
        Float64Builder::new(),
    );
    fn get(row: &[String], c: Option<usize>) -> Option<&str> {
        c.map(|c| row[c].as_str()).filter(|s| !s.is_empty())
    }
    for (line, row) in &csv.rows {
        let name = |c: usize| csv.header[c].as_str();
        let date = match parse_date(&parser, &row[date_col]) {
            Ok(d) => d,
            Err(m) => {
                errors.push(*line, name(date_col), m)?;
                continue;
            }
        };
        let spend = match parse_number(&row[spend_col]) {
            Ok(v) if v >= 0.0 => v,
            Ok(v) => {
                errors.push(*line, name(spend_col), format!("spend {v} is negative"))?;
                continue;
            }
            Err(m) => {
                errors.push(*line, name(spend_col), m)?;
                continue;
            }
        };
        let errors_before = errors.len();
        let mut count = |c: Option<usize>| -> Result<Option<i64>, IngestError> {
            let Some(v) = get(row, c) else {
                return Ok(None);
            };
            let cleaned: String = v
                .chars()
                .filter(|ch| !ch.is_whitespace() && *ch != ',')
                .collect();
            match cleaned.parse::<i64>() {
                Ok(n) if n >= 0 => Ok(Some(n)),
                _ => {
                    errors.push(*line, name(c.unwrap_or(0)), format!("`{v}` is not a count"))?;
                    Ok(None)
                }
            }
        };
        let impressions = count(impr_col)?;
        let clicks = count(clicks_col)?;
        if errors.len() > errors_before {
            continue;
        }
        let currency = match get(row, currency_col) {
            Some(c) => match parse_currency(c) {
                Ok(c) => Some(c.into_owned()),
                Err(m) => {
                    errors.push(*line, name(currency_col.unwrap_or(0)), m)?;
                    continue;
                }
            },
            None => default_currency.clone(),
        };
        let channel = get(row, channel_col);
        let mut source = get(row, source_col);
        let medium = get(row, medium_col);
        let campaign = get(row, campaign_col);
        let known_group = channel.and_then(|c| {
            group::ALL
                .iter()
                .find(|g| g.eq_ignore_ascii_case(c))
                .copied()
        });
        if source.is_none() && known_group.is_none() {
            source = channel;
        }
        let group_name = match known_group {
            Some(g) => g.to_owned(),
            None => grouper
                .group(source, Some(medium.unwrap_or("paid")), campaign)
                .to_owned(),
        };
        let spend_text = format!("{spend}");
        hashes.push(row_hash(&[
            &date.to_string(),
            &group_name,
            source.unwrap_or(""),
            medium.unwrap_or(""),
            campaign.unwrap_or(""),
            &impressions.map(|v| v.to_string()).unwrap_or_default(),
            &clicks.map(|v| v.to_string()).unwrap_or_default(),
            &spend_text,
            currency.as_deref().unwrap_or(""),
        ]));
        date_b.append_value(date);
        group_b.append_value(&group_name);
        source_b.append_option(source);
        medium_b.append_option(medium);
        campaign_b.append_option(campaign);
        impr_b.append_option(impressions);
        clicks_b.append_option(clicks);
        spend_b.append_value(spend);
        currency_b.append_option(currency);
    }
    let quarantined = errors.finish_into(opts.quarantine.as_deref(), Some(&csv))?;
    let n = hashes.len();
    let ids = StringArray::from(occurrence_ids(hashes));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ids),
        Arc::new(date_b.finish()),
        Arc::new(group_b.finish()),
        Arc::new(source_b.finish()),
        Arc::new(medium_b.finish()),
        Arc::new(campaign_b.finish()),
        Arc::new(impr_b.finish()),
        Arc::new(clicks_b.finish()),
        Arc::new(spend_b.finish()),
        Arc::new(currency_b.finish()),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
            p.import_id.as_str(),
            n,
        ))),
    ];
    let batch = RecordBatch::try_new(Table::Costs.schema(), columns)?;
    commit_table(
        &p.store,
        &mut p.db,
        Table::Costs,
        file,
        p.file_hash.clone(),
        "csv",
        &p.import_id.clone(),
        &batch,
        n as u64,
        &opts.user,
        false,
        p.started_at.clone(),
        quarantined,
    )
}

/// The channel group a "how did you hear about us" answer names, or `None` when the question
/// is not such a question.
#[must_use]
pub fn reported_channel(question: &str, answer: &str) -> Option<String> {
    let q = question.to_lowercase();
    let asks = [
        "hear about",
        "heard about",
        "hear of",
        "find us",
        "found us",
        "learn about",
        "learned about",
        "kuulit",
        "kuulitte",
        "löysit",
        "löysitte",
        "mistä kuul",
        "referral source",
    ]
    .iter()
    .any(|p| q.contains(p));
    if !asks {
        return None;
    }
    let a = answer.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| a.contains(w));
    if has(&[
        "friend",
        "colleague",
        "word of mouth",
        "recommend",
        "ystävä",
        "kollega",
        "suosit",
        "tuttu",
        "kaveri",
    ]) {
        return Some("Word of Mouth".into());
    }
    if has(&["newsletter", "email", "e-mail", "uutiskirje", "sähköposti"]) {
        return Some(group::EMAIL.into());
    }
    if has(&[
        "event",
        "fair",
        "webinar",
        "conference",
        "messu",
        "tapahtuma",
        "seminaari",
        "webinaari",
    ]) {
        return Some("Events".into());
    }
    if has(&["podcast", "radio", "spotify"]) {
        return Some(group::AUDIO.into());
    }
    if has(&["ad ", "ads", "advert", "mainos", "banner"]) {
        return Some(group::PAID_OTHER.into());
    }
    for word in a.split(|c: char| !c.is_alphanumeric() && c != '.') {
        match source_category(word) {
            Some(SourceCategory::Search) => return Some(group::ORGANIC_SEARCH.into()),
            Some(SourceCategory::Social) => return Some(group::ORGANIC_SOCIAL.into()),
            Some(SourceCategory::Video) => return Some(group::ORGANIC_VIDEO.into()),
            Some(SourceCategory::Shopping) => return Some(group::ORGANIC_SHOPPING.into()),
            None => {}
        }
    }
    if has(&["search", "haku", "hakukone"]) {
        return Some(group::ORGANIC_SEARCH.into());
    }
    if has(&["social", "some", "sosiaali"]) {
        return Some(group::ORGANIC_SOCIAL.into());
    }
    if has(&["blog", "article", "artikkeli", "lehti", "magazine", "news"]) {
        return Some(group::REFERRAL.into());
    }
    Some("Other".into())
}

/// Imports a survey answer file.
///
/// # Errors
/// Bad values as [`IngestError::BadRows`]; I/O and store errors otherwise.
pub fn import_survey(
    root: &Path,
    file: &Path,
    opts: &TableOptions,
) -> Result<TableReport, IngestError> {
    let (mut p, _lock) = prepare(root, file, opts.pseudonymize)?;
    let mut errors = Errors::new(file.display().to_string(), opts.quarantine.as_deref());
    let csv = read_small_csv(&p.bytes, opts.delimiter, &mut errors)?;
    let parser = TimeParser::new(opts.timezone);
    let respondent_col = csv.find(&[
        "respondent",
        "respondentid",
        "userid",
        "email",
        "emailaddress",
        "customerid",
        "id",
    ]);
    let time_col = csv.find(&[
        "submittedat",
        "submitted",
        "timestamp",
        "time",
        "date",
        "createdat",
    ]);
    let question_col = csv.find(&["question", "questiontext"]);
    let answer_col = csv.find(&["answer", "response", "value"]);
    let long = question_col.is_some() && answer_col.is_some();
    let question_cols: Vec<usize> = if long {
        Vec::new()
    } else {
        (0..csv.header.len())
            .filter(|c| Some(*c) != respondent_col && Some(*c) != time_col)
            .collect()
    };
    if !long && question_cols.is_empty() {
        return Err(IngestError::File {
            file: errors.file.clone(),
            message: "no question columns".into(),
        });
    }
    let (mut hashes, mut resp_b, mut time_b, mut q_b, mut a_b, mut ch_b) = (
        Vec::new(),
        StringBuilder::new(),
        TimestampMicrosecondBuilder::new().with_timezone("UTC"),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    for (line, row) in &csv.rows {
        let respondent = respondent_col
            .map(|c| row[c].as_str())
            .filter(|s| !s.is_empty());
        let respondent = respondent.map(|r| pseudo(p.key.as_ref(), r));
        let time = match time_col.map(|c| row[c].as_str()).filter(|s| !s.is_empty()) {
            None => None,
            Some(t) => match parser.parse(t) {
                Ok(us) => Some(us),
                Err(m) => {
                    errors.push(*line, &csv.header[time_col.unwrap_or(0)], m)?;
                    continue;
                }
            },
        };
        let pairs: Vec<(&str, &str)> =
            if let (Some(qc), Some(ac)) = (question_col.filter(|_| long), answer_col) {
                if row[qc].is_empty() {
                    errors.push(*line, &csv.header[qc], "empty question")?;
                    continue;
                }
                vec![(row[qc].as_str(), row[ac].as_str())]
            } else {
                question_cols
                    .iter()
                    .map(|c| (csv.header[*c].as_str(), row[*c].as_str()))
                    .filter(|(_, a)| !a.is_empty())
                    .collect()
            };
        for (q, a) in pairs {
            hashes.push(row_hash(&[
                respondent.as_deref().unwrap_or(""),
                &time.map(|t| t.to_string()).unwrap_or_default(),
                q,
                a,
            ]));
            resp_b.append_option(respondent.as_deref());
            time_b.append_option(time);
            q_b.append_value(q);
            a_b.append_option((!a.is_empty()).then_some(a));
            ch_b.append_option(reported_channel(q, a));
        }
    }
    let quarantined = errors.finish_into(opts.quarantine.as_deref(), Some(&csv))?;
    let n = hashes.len();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(occurrence_ids(hashes))),
        Arc::new(resp_b.finish()),
        Arc::new(time_b.finish()),
        Arc::new(q_b.finish()),
        Arc::new(a_b.finish()),
        Arc::new(ch_b.finish()),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
            p.import_id.as_str(),
            n,
        ))),
    ];
    let batch = RecordBatch::try_new(Table::Survey.schema(), columns)?;
    commit_table(
        &p.store,
        &mut p.db,
        Table::Survey,
        file,
        p.file_hash.clone(),
        "csv",
        &p.import_id.clone(),
        &batch,
        n as u64,
        &opts.user,
        opts.pseudonymize,
        p.started_at.clone(),
        quarantined,
    )
}

/// An emotion score on the map's scale, checked while parsing so errors carry their line.
#[derive(Debug, Clone, Copy)]
struct Emotion(i8);

impl<'de> Deserialize<'de> for Emotion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if (i64::from(EMOTION_MIN)..=i64::from(EMOTION_MAX)).contains(&v) {
            Ok(Emotion(i8::try_from(v).unwrap_or(0)))
        } else {
            Err(serde::de::Error::custom(format!(
                "emotion {v} is outside the scale {EMOTION_MIN}..{EMOTION_MAX} (−3 very negative, 0 neutral, +3 very positive)"
            )))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InterviewDoc {
    id: String,
    #[serde(default)]
    interviewee: Option<String>,
    #[serde(default)]
    persona: Option<String>,
    #[serde(default)]
    date: Option<String>,
    steps: Vec<StepDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDoc {
    touchpoint: String,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    emotion: Option<Emotion>,
    #[serde(default)]
    success: Option<String>,
    #[serde(default)]
    joy: Option<String>,
    #[serde(default)]
    failure: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

fn yaml_interviews(text: &str, file: &str) -> Result<Vec<InterviewDoc>, IngestError> {
    let to_err = |e: serde_norway::Error| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u64, l.column()));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        IngestError::BadRows(vec![RowError {
            file: file.to_owned(),
            line,
            column: column.to_string(),
            message,
        }])
    };
    let is_list = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .is_some_and(|l| l.starts_with("- ") || l == "-");
    if is_list {
        return serde_norway::from_str::<Vec<InterviewDoc>>(text).map_err(to_err);
    }
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        out.push(InterviewDoc::deserialize(doc).map_err(to_err)?);
    }
    Ok(out)
}

/// Imports an interview file (YAML, or CSV with one row per step).
///
/// # Errors
/// Bad values as [`IngestError::BadRows`]; I/O and store errors otherwise.
pub fn import_interviews(
    root: &Path,
    file: &Path,
    opts: &TableOptions,
) -> Result<TableReport, IngestError> {
    let (mut p, _lock) = prepare(root, file, opts.pseudonymize)?;
    let file_name = file.display().to_string();
    let parser = TimeParser::new(opts.timezone);
    let lower = file_name.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    let text = String::from_utf8(p.bytes.clone()).map_err(|_| IngestError::File {
        file: file_name.clone(),
        message: "not valid UTF-8".into(),
    })?;
    // (interview, interviewee, persona, date, step, touchpoint, stage, emotion, texts...)
    type StepRow = (
        String,
        Option<String>,
        Option<String>,
        Option<i32>,
        i32,
        String,
        Option<String>,
        Option<i8>,
        [Option<String>; 4],
    );
    let mut steps: Vec<StepRow> = Vec::new();
    let mut errors = Errors::new(file_name.clone(), opts.quarantine.as_deref());
    let mut csv_read: Option<SmallCsv> = None;
    if is_yaml {
        for doc in yaml_interviews(&text, &file_name)? {
            let date = match doc.date.as_deref() {
                Some(d) => Some(parse_date(&parser, d).map_err(|m| {
                    IngestError::BadRows(vec![RowError {
                        file: file_name.clone(),
                        line: 0,
                        column: format!("{}.date", doc.id),
                        message: m,
                    }])
                })?),
                None => None,
            };
            for (i, s) in doc.steps.into_iter().enumerate() {
                steps.push((
                    doc.id.clone(),
                    doc.interviewee.clone(),
                    doc.persona.clone(),
                    date,
                    i32::try_from(i + 1).unwrap_or(i32::MAX),
                    s.touchpoint,
                    s.stage,
                    s.emotion.map(|e| e.0),
                    [s.success, s.joy, s.failure, s.notes],
                ));
            }
        }
    } else {
        let csv = csv_read.insert(read_small_csv(&p.bytes, opts.delimiter, &mut errors)?);
        let col = |n: &[&str]| csv.find(n);
        let Some(id_col) = col(&["interview", "interviewid", "id"]) else {
            return Err(IngestError::BadRows(vec![RowError {
                file: file_name,
                line: 1,
                column: "-".into(),
                message: "no interview column".into(),
            }]));
        };
        let Some(tp_col) = col(&["touchpoint"]) else {
            return Err(IngestError::BadRows(vec![RowError {
                file: file_name,
                line: 1,
                column: "-".into(),
                message: "no touchpoint column".into(),
            }]));
        };
        let (who, persona, date_c, step_c, stage_c, emo_c) = (
            col(&["interviewee", "name"]),
            col(&["persona"]),
            col(&["date"]),
            col(&["step", "order"]),
            col(&["stage"]),
            col(&["emotion", "feeling"]),
        );
        let text_cols = [
            col(&["success"]),
            col(&["joy"]),
            col(&["failure", "fail"]),
            col(&["notes", "note", "comment"]),
        ];
        let mut counters: HashMap<String, i32> = HashMap::new();
        for (line, row) in &csv.rows {
            let get = |c: Option<usize>| c.map(|c| row[c].clone()).filter(|s| !s.is_empty());
            let id = row[id_col].clone();
            if id.is_empty() {
                errors.push(*line, &csv.header[id_col], "empty interview id")?;
                continue;
            }
            let touchpoint = row[tp_col].clone();
            if touchpoint.is_empty() {
                errors.push(*line, &csv.header[tp_col], "empty touchpoint")?;
                continue;
            }
            let n = counters.entry(id.clone()).or_insert(0);
            *n += 1;
            let step = match get(step_c) {
                Some(s) => match s.parse::<i32>() {
                    Ok(v) if v > 0 => v,
                    _ => {
                        errors.push(
                            *line,
                            &csv.header[step_c.unwrap_or(0)],
                            format!("step `{s}` is not a positive number"),
                        )?;
                        continue;
                    }
                },
                None => *n,
            };
            let emotion = match get(emo_c) {
                Some(e) => match e.parse::<i8>() {
                    Ok(v) if (EMOTION_MIN..=EMOTION_MAX).contains(&v) => Some(v),
                    _ => {
                        errors.push(
                            *line,
                            &csv.header[emo_c.unwrap_or(0)],
                            format!(
                                "emotion `{e}` is not on the scale {EMOTION_MIN}..{EMOTION_MAX}"
                            ),
                        )?;
                        continue;
                    }
                },
                None => None,
            };
            let date = match get(date_c) {
                Some(d) => match parse_date(&parser, &d) {
                    Ok(v) => Some(v),
                    Err(m) => {
                        errors.push(*line, &csv.header[date_c.unwrap_or(0)], m)?;
                        continue;
                    }
                },
                None => None,
            };
            steps.push((
                id,
                get(who),
                get(persona),
                date,
                step,
                touchpoint,
                get(stage_c),
                emotion,
                text_cols.map(get),
            ));
        }
    }
    let quarantined = errors.finish_into(opts.quarantine.as_deref(), csv_read.as_ref())?;

    // Replace interviews imported before with other content.
    let ids_here: HashSet<String> = steps.iter().map(|s| s.0.clone()).collect();
    let mut hashes = Vec::new();
    let mut b: Vec<StringBuilder> = (0..10).map(|_| StringBuilder::new()).collect();
    let (mut date_b, mut step_b, mut emo_b) = (
        Date32Builder::new(),
        Int32Builder::new(),
        Int8Builder::new(),
    );
    for (id, who, persona, date, step, tp, stage, emo, texts) in &steps {
        let who = who.as_deref().map(|w| pseudo(p.key.as_ref(), w));
        let mut key = format!(
            "{id}\u{1f}{}\u{1f}{}\u{1f}{date:?}\u{1f}{step}\u{1f}{tp}\u{1f}{}\u{1f}{emo:?}",
            who.as_deref().unwrap_or(""),
            persona.as_deref().unwrap_or(""),
            stage.as_deref().unwrap_or("")
        );
        for t in texts {
            let _ = write!(key, "\u{1f}{}", t.as_deref().unwrap_or(""));
        }
        hashes.push(row_hash(&[&key]));
        b[0].append_value(id);
        b[1].append_option(who.as_deref());
        b[2].append_option(persona.as_deref());
        date_b.append_option(*date);
        step_b.append_value(*step);
        b[3].append_value(tp);
        b[4].append_option(stage.as_deref());
        emo_b.append_option(*emo);
        for (i, t) in texts.iter().enumerate() {
            b[5 + i].append_option(t.as_deref());
        }
    }
    let n = hashes.len();
    let hashes = occurrence_ids(hashes);
    let existing = stored_row_ids(&p.store, Table::Interviews)?;
    let unchanged = hashes.iter().all(|h| existing.contains(h));
    let mut replaced = 0u64;
    if !unchanged {
        // Remove the older versions of these interviews before adding the new one.
        for part in p.store.partitions(Table::Interviews)? {
            let (before, after) =
                EventStore::rewrite(&part.path, &Table::Interviews.schema(), |batch| {
                    let ids = batch.column(1).as_string::<i32>();
                    let keep: BooleanArray = ids
                        .iter()
                        .map(|i| Some(!i.is_some_and(|i| ids_here.contains(i))))
                        .collect();
                    arrow_select_filter(&batch, &keep)
                        .map_err(|e| DataError::Corrupt(e.to_string()))
                })?;
            replaced += (before - after) as u64;
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(hashes)),
        Arc::new(b[0].finish()),
        Arc::new(b[1].finish()),
        Arc::new(b[2].finish()),
        Arc::new(date_b.finish()),
        Arc::new(step_b.finish()),
        Arc::new(b[3].finish()),
        Arc::new(b[4].finish()),
        Arc::new(emo_b.finish()),
        Arc::new(b[5].finish()),
        Arc::new(b[6].finish()),
        Arc::new(b[7].finish()),
        Arc::new(b[8].finish()),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
            p.import_id.as_str(),
            n,
        ))),
    ];
    let batch = RecordBatch::try_new(Table::Interviews.schema(), columns)?;
    debug_assert_eq!(batch.schema().field(1).name(), interview_col::INTERVIEW);
    let mut report = commit_table(
        &p.store,
        &mut p.db,
        Table::Interviews,
        file,
        p.file_hash.clone(),
        if is_yaml { "yaml" } else { "csv" },
        &p.import_id.clone(),
        &batch,
        n as u64,
        &opts.user,
        opts.pseudonymize,
        p.started_at.clone(),
        quarantined,
    )?;
    report.replaced = replaced;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_reported_channels() {
        let q = "How did you hear about us?";
        assert_eq!(
            reported_channel(q, "Google").as_deref(),
            Some("Organic Search")
        );
        assert_eq!(
            reported_channel(q, "saw it on LinkedIn").as_deref(),
            Some("Organic Social")
        );
        assert_eq!(
            reported_channel(q, "a colleague recommended you").as_deref(),
            Some("Word of Mouth")
        );
        assert_eq!(
            reported_channel("Mistä kuulit meistä?", "Messuilta").as_deref(),
            Some("Events")
        );
        assert_eq!(reported_channel(q, "uutiskirje").as_deref(), Some("Email"));
        assert_eq!(reported_channel(q, "???").as_deref(), Some("Other"));
        assert_eq!(reported_channel("How satisfied are you?", "Google"), None);
    }

    #[test]
    fn repeated_rows_keep_distinct_ids() {
        let ids = occurrence_ids(vec!["a".into(), "b".into(), "a".into()]);
        assert_eq!(ids, ["a", "b", "a-2"]);
    }
}
