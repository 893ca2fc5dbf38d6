//! `sessionize(time_us, session)`: the session of each event, as a window function.
//!
//! Run over one customer's events in time order (`PARTITION BY customer ORDER BY time,
//! ordinal`). An event that carries the data's session id belongs to that session. An event
//! without one belongs to an inactivity session of the customer: a new one starts after a gap
//! longer than the timeout (30 minutes by default), or after an event of a data session. The
//! result is a key that is unique within the customer: the data's session id, or `~` and the
//! number of the inactivity session.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl,
};

/// The default inactivity timeout: 30 minutes, in microseconds.
pub const DEFAULT_SESSION_GAP_US: i64 = 30 * 60 * 1_000_000;

/// The `sessionize` window function with an inactivity timeout in microseconds.
#[must_use]
pub fn sessionize_udwf(gap_us: i64) -> WindowUDF {
    WindowUDF::from(Sessionize {
        signature: Signature::exact(vec![DataType::Int64, DataType::Utf8], Volatility::Immutable),
        gap_us,
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Sessionize {
    signature: Signature,
    gap_us: i64,
}

impl WindowUDFImpl for Sessionize {
    fn name(&self) -> &str {
        "sessionize"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(SessionEvaluator {
            gap_us: self.gap_us,
        }))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(
            field_args.name(),
            DataType::Utf8,
            false,
        )))
    }
}

#[derive(Debug)]
struct SessionEvaluator {
    gap_us: i64,
}

/// The session keys of one customer's time-sorted events.
#[must_use]
pub fn session_keys<'a>(
    times_us: &[i64],
    sessions: impl IntoIterator<Item = Option<&'a str>>,
    gap_us: i64,
) -> Vec<String> {
    let mut out = Vec::with_capacity(times_us.len());
    let mut number = 0u64;
    let mut prev: Option<(i64, bool)> = None; // (time, had a data session)
    for (&t, session) in times_us.iter().zip(sessions) {
        match session {
            Some(s) => {
                out.push(s.to_owned());
                prev = Some((t, true));
            }
            None => {
                match prev {
                    Some((p, false)) if t - p <= gap_us => {}
                    None => {}
                    Some(_) => number += 1,
                }
                out.push(format!("~{number}"));
                prev = Some((t, false));
            }
        }
    }
    out
}

impl PartitionEvaluator for SessionEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let (Some(times), Some(sessions)) = (
            values[0].as_primitive_opt::<Int64Type>(),
            values[1].as_string_opt::<i32>(),
        ) else {
            return exec_err!("sessionize: expects (Int64 time, Utf8 session)");
        };
        if times.null_count() > 0 {
            return exec_err!("sessionize: the time must not be null");
        }
        let keys = session_keys(&times.values()[..num_rows], sessions.iter(), self.gap_us);
        let mut out = StringBuilder::with_capacity(num_rows, num_rows * 4);
        for k in keys {
            out.append_value(k);
        }
        Ok(Arc::new(out.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60 * 1_000_000;

    #[test]
    fn inactivity_splits_sessions() {
        let t = [0, 10 * M, 41 * M, 70 * M, 71 * M];
        let keys = session_keys(&t, [None; 5], DEFAULT_SESSION_GAP_US);
        assert_eq!(keys, ["~0", "~0", "~1", "~1", "~1"]);
    }

    #[test]
    fn the_data_session_id_wins() {
        let t = [0, M, 2 * M, 3 * M];
        let s = [Some("a"), Some("a"), None, Some("b")];
        let keys = session_keys(&t, s, DEFAULT_SESSION_GAP_US);
        assert_eq!(keys, ["a", "a", "~1", "b"]);
    }

    #[test]
    fn the_timeout_is_configurable() {
        let t = [0, 5 * M, 11 * M];
        assert_eq!(session_keys(&t, [None; 3], 5 * M), ["~0", "~0", "~1"]);
    }
}
