//! Counts over a workspace's data: events, customers, time span, per source and channel.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use arrow_array::StringArray;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;

use crate::app_db::AppDb;
use crate::data_error::DataError;
use crate::events::EventStore;
use crate::schema::{Table, event_col, interview_col};

/// What a workspace's data holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events in the store.
    pub events: u64,
    /// Distinct stitched customers.
    pub customers: u64,
    /// The earliest event time, UTC microseconds.
    pub first: Option<i64>,
    /// The latest event time, UTC microseconds.
    pub last: Option<i64>,
    /// Events per source system (`csv`, `ga4`, `segment`...).
    pub sources: BTreeMap<String, u64>,
    /// Events per channel group.
    pub channels: BTreeMap<String, u64>,
    /// Ad cost rows.
    pub cost_rows: u64,
    /// Survey answers.
    pub survey_answers: u64,
    /// Distinct interviews.
    pub interviews: u64,
    /// Logged imports.
    pub imports: u64,
}

fn count_strings(map: &mut BTreeMap<String, u64>, col: &StringArray) {
    for v in col.iter().flatten() {
        if let Some(n) = map.get_mut(v) {
            *n += 1;
        } else {
            map.insert(v.to_owned(), 1);
        }
    }
}

/// Counts the data of the workspace at `root`.
///
/// # Errors
/// When a table file or the database cannot be read.
pub fn stats(root: &Path) -> Result<Stats, DataError> {
    let store = EventStore::open(root);
    let mut s = Stats::default();
    let mut customers: HashSet<String> = HashSet::new();
    let cols = [
        event_col::CUSTOMER,
        event_col::TIME,
        event_col::SOURCE_SYSTEM,
        event_col::CHANNEL_GROUP,
    ];
    store.scan(Table::Events, Some(&cols), |_, batch| {
        s.events += batch.num_rows() as u64;
        let customer = batch.column(0).as_string::<i32>();
        for c in customer.iter().flatten() {
            if !customers.contains(c) {
                customers.insert(c.to_owned());
            }
        }
        let time = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        for t in time.iter().flatten() {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        count_strings(&mut s.sources, batch.column(2).as_string::<i32>());
        count_strings(&mut s.channels, batch.column(3).as_string::<i32>());
        Ok(())
    })?;
    s.customers = customers.len() as u64;
    store.scan(Table::Costs, Some(&["row_id"]), |_, b| {
        s.cost_rows += b.num_rows() as u64;
        Ok(())
    })?;
    store.scan(Table::Survey, Some(&["row_id"]), |_, b| {
        s.survey_answers += b.num_rows() as u64;
        Ok(())
    })?;
    let mut interviews: HashSet<String> = HashSet::new();
    store.scan(
        Table::Interviews,
        Some(&[interview_col::INTERVIEW]),
        |_, b| {
            for v in b.column(0).as_string::<i32>().iter().flatten() {
                interviews.insert(v.to_owned());
            }
            Ok(())
        },
    )?;
    s.interviews = interviews.len() as u64;
    if root.join(crate::events::DB_FILE).exists() {
        s.imports = AppDb::open(root)?.import_ids()?.len() as u64;
    }
    Ok(s)
}
