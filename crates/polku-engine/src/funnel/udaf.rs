//! `funnel(time_us, ordinal, step_mask)`: the funnel state machine as an aggregate function.
//!
//! Grouped by customer (or session), it returns the times at which the group reached each
//! funnel step, as a list whose length is the number of steps reached. The state is the
//! group's `(time, ordinal, mask)` entries, concatenated on merge and sorted when finished.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, ListArray};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::AggregateUDF;

use super::machine::{FunnelSpec, StepEvent, run_funnel};
use crate::udf::sequence::{Entry, Finish, MaskCodec, SequenceUdaf};

/// The funnel aggregate for one funnel shape.
#[must_use]
pub fn funnel_udaf(spec: FunnelSpec) -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf::new(FunnelFinish { spec }))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FunnelFinish {
    spec: FunnelSpec,
}

fn times_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true)))
}

impl Finish for FunnelFinish {
    type Codec = MaskCodec;

    fn name(&self) -> &'static str {
        "funnel"
    }

    fn return_type(&self) -> DataType {
        times_type()
    }

    fn finish(&self, groups: &mut [Vec<Entry>], _codec: &MaskCodec) -> Result<ArrayRef> {
        let mut lengths = Vec::with_capacity(groups.len());
        let mut times = Vec::new();
        let mut events = Vec::new();
        for group in groups.iter() {
            events.clear();
            events.extend(group.iter().map(|e| StepEvent {
                time_us: e.time_us,
                ordinal: e.ordinal,
                mask: e.code,
            }));
            let outcome = run_funnel(&self.spec, &mut events);
            lengths.push(outcome.step_times_us.len());
            times.extend_from_slice(&outcome.step_times_us);
        }
        let values = Arc::new(Int64Array::new(ScalarBuffer::from(times), None));
        Ok(Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(DataType::Int64, true)),
            OffsetBuffer::from_lengths(lengths),
            values,
            None,
        )))
    }
}
