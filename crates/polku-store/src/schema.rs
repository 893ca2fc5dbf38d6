//! The canonical columns of every data table in a workspace.
//!
//! Events from every source (web analytics, CRM, email, ads, Segment, GA4) land in one event
//! table with the columns below; ad costs, survey answers and interview steps have tables of
//! their own. The schemas are Arrow schemas, written to Parquet, so that the analytics engine
//! registers the folders as tables without conversion.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Column names of the event table.
pub mod event_col {
    /// The event's id: the source's id, or `h-` and a content hash when the source has none.
    pub const EVENT_ID: &str = "event_id";
    /// The stitched customer: every anonymous id and user id of one person share it.
    pub const CUSTOMER: &str = "customer";
    /// The device or cookie id, before login.
    pub const ANONYMOUS_ID: &str = "anonymous_id";
    /// The id of a known user (CRM id, login, e-mail).
    pub const USER_ID: &str = "user_id";
    /// When the event happened, in UTC microseconds.
    pub const TIME: &str = "time";
    /// The event's name: `page_view`, `purchase`, `lead_created`...
    pub const EVENT: &str = "event";
    /// The channel group, e.g. `Organic Search` or `Email`.
    pub const CHANNEL_GROUP: &str = "channel_group";
    /// The traffic source, e.g. `google` or `newsletter`.
    pub const SOURCE: &str = "source";
    /// The traffic medium, e.g. `cpc` or `email`.
    pub const MEDIUM: &str = "medium";
    /// The campaign name.
    pub const CAMPAIGN: &str = "campaign";
    /// The page: a URL or a path.
    pub const URL: &str = "url";
    /// The referring URL.
    pub const REFERRER: &str = "referrer";
    /// The session id, unique across customers.
    pub const SESSION: &str = "session";
    /// A monetary value: order total, lead value, deal size.
    pub const VALUE: &str = "value";
    /// The currency of `value`, ISO 4217.
    pub const CURRENCY: &str = "currency";
    /// Every other field of the source row, as a JSON object.
    pub const PROPERTIES: &str = "properties";
    /// The kind of source: `csv`, `ndjson`, `parquet`, `ga4`, `segment`.
    pub const SOURCE_SYSTEM: &str = "source_system";
    /// The import that added the row.
    pub const IMPORT_ID: &str = "import_id";
}

/// Column names of the ad cost table.
pub mod cost_col {
    /// A content hash of the row, for idempotent re-import.
    pub const ROW_ID: &str = "row_id";
    /// The day the cost was spent.
    pub const DATE: &str = "date";
    /// The channel group the spend belongs to.
    pub const CHANNEL_GROUP: &str = "channel_group";
    /// The traffic source, e.g. `google`.
    pub const SOURCE: &str = "source";
    /// The medium, e.g. `cpc`.
    pub const MEDIUM: &str = "medium";
    /// The campaign name.
    pub const CAMPAIGN: &str = "campaign";
    /// Ad impressions.
    pub const IMPRESSIONS: &str = "impressions";
    /// Ad clicks.
    pub const CLICKS: &str = "clicks";
    /// The money spent.
    pub const SPEND: &str = "spend";
    /// The currency of `spend`.
    pub const CURRENCY: &str = "currency";
    /// The import that added the row.
    pub const IMPORT_ID: &str = "import_id";
}

/// Column names of the survey response table (one row per answer).
pub mod survey_col {
    /// A content hash of the row, for idempotent re-import.
    pub const ROW_ID: &str = "row_id";
    /// Who answered: a user id, e-mail or respondent number.
    pub const RESPONDENT: &str = "respondent";
    /// When the response was submitted.
    pub const SUBMITTED_AT: &str = "submitted_at";
    /// The question's text or id.
    pub const QUESTION: &str = "question";
    /// The answer.
    pub const ANSWER: &str = "answer";
    /// For "how did you hear about us" questions: the channel group the answer names.
    pub const REPORTED_CHANNEL: &str = "reported_channel";
    /// The import that added the row.
    pub const IMPORT_ID: &str = "import_id";
}

/// Column names of the interview table (one row per step of an interview).
pub mod interview_col {
    /// A content hash of the row, for idempotent re-import.
    pub const ROW_ID: &str = "row_id";
    /// The interview's id, cited as evidence as `interview:ID`.
    pub const INTERVIEW: &str = "interview";
    /// Who was interviewed.
    pub const INTERVIEWEE: &str = "interviewee";
    /// The persona the interviewee represents.
    pub const PERSONA: &str = "persona";
    /// The interview's date.
    pub const DATE: &str = "date";
    /// The step's position in the interview, from 1.
    pub const STEP: &str = "step";
    /// The touchpoint of the step.
    pub const TOUCHPOINT: &str = "touchpoint";
    /// The journey stage of the step.
    pub const STAGE: &str = "stage";
    /// How the step felt, from −3 to +3.
    pub const EMOTION: &str = "emotion";
    /// What went well.
    pub const SUCCESS: &str = "success";
    /// What delighted.
    pub const JOY: &str = "joy";
    /// What failed.
    pub const FAILURE: &str = "failure";
    /// Free notes.
    pub const NOTES: &str = "notes";
    /// The import that added the row.
    pub const IMPORT_ID: &str = "import_id";
}

/// The data tables of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Touchpoint events: `events/`.
    Events,
    /// Ad costs: `tables/costs/`.
    Costs,
    /// Survey answers: `tables/survey/`.
    Survey,
    /// Interview steps: `tables/interviews/`.
    Interviews,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 4] = [
        Table::Events,
        Table::Costs,
        Table::Survey,
        Table::Interviews,
    ];

    /// The table's name, as registered with the query engine.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Costs => "costs",
            Table::Survey => "survey",
            Table::Interviews => "interviews",
        }
    }

    /// The table's folder, relative to the workspace.
    #[must_use]
    pub fn dir(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Costs => "tables/costs",
            Table::Survey => "tables/survey",
            Table::Interviews => "tables/interviews",
        }
    }

    /// The table's Arrow schema.
    #[must_use]
    pub fn schema(self) -> SchemaRef {
        match self {
            Table::Events => event_schema(),
            Table::Costs => cost_schema(),
            Table::Survey => survey_schema(),
            Table::Interviews => interview_schema(),
        }
    }
}

fn text(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// The UTC microsecond timestamp type of every time column.
#[must_use]
pub fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The event table's schema.
#[must_use]
pub fn event_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            use event_col as c;
            Arc::new(Schema::new(vec![
                text(c::EVENT_ID, false),
                text(c::CUSTOMER, true),
                text(c::ANONYMOUS_ID, true),
                text(c::USER_ID, true),
                Field::new(c::TIME, time_type(), false),
                text(c::EVENT, false),
                text(c::CHANNEL_GROUP, false),
                text(c::SOURCE, true),
                text(c::MEDIUM, true),
                text(c::CAMPAIGN, true),
                text(c::URL, true),
                text(c::REFERRER, true),
                text(c::SESSION, true),
                Field::new(c::VALUE, DataType::Float64, true),
                text(c::CURRENCY, true),
                text(c::PROPERTIES, true),
                text(c::SOURCE_SYSTEM, false),
                text(c::IMPORT_ID, false),
            ]))
        })
        .clone()
}

/// The event table's schema without the `customer` column: what an importer produces before
/// identities are stitched.
#[must_use]
pub fn unstitched_event_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let full = event_schema();
            let fields: Vec<Field> = full
                .fields()
                .iter()
                .filter(|f| f.name() != event_col::CUSTOMER)
                .map(|f| f.as_ref().clone())
                .collect();
            Arc::new(Schema::new(fields))
        })
        .clone()
}

/// The ad cost table's schema.
#[must_use]
pub fn cost_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            use cost_col as c;
            Arc::new(Schema::new(vec![
                text(c::ROW_ID, false),
                Field::new(c::DATE, DataType::Date32, false),
                text(c::CHANNEL_GROUP, false),
                text(c::SOURCE, true),
                text(c::MEDIUM, true),
                text(c::CAMPAIGN, true),
                Field::new(c::IMPRESSIONS, DataType::Int64, true),
                Field::new(c::CLICKS, DataType::Int64, true),
                Field::new(c::SPEND, DataType::Float64, false),
                text(c::CURRENCY, true),
                text(c::IMPORT_ID, false),
            ]))
        })
        .clone()
}

/// The survey table's schema.
#[must_use]
pub fn survey_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            use survey_col as c;
            Arc::new(Schema::new(vec![
                text(c::ROW_ID, false),
                text(c::RESPONDENT, true),
                Field::new(c::SUBMITTED_AT, time_type(), true),
                text(c::QUESTION, false),
                text(c::ANSWER, true),
                text(c::REPORTED_CHANNEL, true),
                text(c::IMPORT_ID, false),
            ]))
        })
        .clone()
}

/// The interview table's schema.
#[must_use]
pub fn interview_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            use interview_col as c;
            Arc::new(Schema::new(vec![
                text(c::ROW_ID, false),
                text(c::INTERVIEW, false),
                text(c::INTERVIEWEE, true),
                text(c::PERSONA, true),
                Field::new(c::DATE, DataType::Date32, true),
                Field::new(c::STEP, DataType::Int32, false),
                text(c::TOUCHPOINT, false),
                text(c::STAGE, true),
                Field::new(c::EMOTION, DataType::Int8, true),
                text(c::SUCCESS, true),
                text(c::JOY, true),
                text(c::FAILURE, true),
                text(c::NOTES, true),
                text(c::IMPORT_ID, false),
            ]))
        })
        .clone()
}

/// The columns of a table that hold a person's identifiers: what `forget` matches and
/// pseudonymisation replaces.
#[must_use]
pub fn person_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Events => &[
            event_col::CUSTOMER,
            event_col::ANONYMOUS_ID,
            event_col::USER_ID,
        ],
        Table::Costs => &[],
        Table::Survey => &[survey_col::RESPONDENT],
        Table::Interviews => &[interview_col::INTERVIEWEE],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstitched_schema_is_the_event_schema_less_customer() {
        let full = event_schema();
        let partial = unstitched_event_schema();
        assert_eq!(partial.fields().len() + 1, full.fields().len());
        assert!(partial.field_with_name(event_col::CUSTOMER).is_err());
        assert_eq!(full.index_of(event_col::CUSTOMER).unwrap(), 1);
    }

    #[test]
    fn person_columns_exist_in_their_tables() {
        for table in Table::ALL {
            for col in person_columns(table) {
                assert!(
                    table.schema().field_with_name(col).is_ok(),
                    "{col} in {}",
                    table.name()
                );
            }
        }
    }
}
