//! Helpers for tests and fuzz targets: a sink that counts what a reader produces.

use crate::error::{IngestError, RowError};
use crate::io::{Raw, Sink};
use crate::row::{EventRow, IdRef};

/// Counts events, links and bad rows, and checks what every reader promises: an event has a
/// name and a time in range, and an error names a line and a column.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CountingSink {
    /// Events read.
    pub events: u64,
    /// Identity links read.
    pub links: u64,
    /// Bad rows read.
    pub bad: u64,
    /// Other messages.
    pub other: u64,
}

impl Sink for CountingSink {
    fn event(&mut self, _line: u64, row: EventRow<'_>) -> Result<(), IngestError> {
        assert!(!row.event.trim().is_empty(), "an event without a name");
        assert!(
            row.anonymous_id.is_some() || row.user_id.is_some(),
            "an event without an id"
        );
        assert!(row.time >= 0, "a time before 1970");
        assert!(
            row.value.is_none_or(f64::is_finite),
            "a value that is not finite"
        );
        if let Some(p) = &row.properties {
            assert!(
                serde_json::from_str::<serde_json::Value>(p).is_ok_and(|v| v.is_object()),
                "properties not a JSON object: {p}"
            );
        }
        self.events += 1;
        Ok(())
    }

    fn link(&mut self, _line: u64, _x: IdRef<'_>, _y: IdRef<'_>) -> Result<(), IngestError> {
        self.links += 1;
        Ok(())
    }

    fn bad(&mut self, error: RowError, _raw: Raw<'_>) -> Result<(), IngestError> {
        assert!(
            !error.column.is_empty() && !error.message.is_empty(),
            "an error without column or message"
        );
        self.bad += 1;
        Ok(())
    }

    fn other(&mut self) {
        self.other += 1;
    }
}
