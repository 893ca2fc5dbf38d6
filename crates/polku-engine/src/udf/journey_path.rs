//! `journey_path(time_us, ordinal, node)`: a journey's nodes in time order, as an aggregate.
//!
//! A node is an event name, channel, touchpoint or stage. Repeats in a row collapse into one
//! node (the time of the first). The path may be cut around an anchor: from the first
//! occurrence of a node forward, or backward to it. The result is a list of
//! `{node, time_us}` structs.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, ListArray, StringArray, StructArray};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;
use datafusion::logical_expr::AggregateUDF;

use crate::udf::sequence::{Entry, Finish, LabelCodec, SequenceUdaf};

/// Where a path is cut.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum PathAnchor {
    /// From the journey's start.
    #[default]
    Start,
    /// From the first occurrence of this node forward (journeys without it give no path).
    From(String),
    /// Backward to the first occurrence of this node (journeys without it give no path).
    To(String),
}

/// The `journey_path` aggregate: at most `max_nodes` nodes around the anchor.
#[must_use]
pub fn journey_path_udaf(anchor: PathAnchor, max_nodes: usize) -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf::new(PathFinish { anchor, max_nodes }))
}

/// The fields of a path element.
#[must_use]
pub fn path_fields() -> Fields {
    Fields::from(vec![
        Field::new("node", DataType::Utf8, false),
        Field::new("time_us", DataType::Int64, false),
    ])
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PathFinish {
    anchor: PathAnchor,
    max_nodes: usize,
}

/// Collapses repeats and cuts the path; returns indices into `entries`.
fn cut(entries: &[Entry], anchor: Option<Result<u32, ()>>, to: bool, max: usize) -> Vec<usize> {
    let mut nodes: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if nodes.last().is_none_or(|&j| entries[j].code != e.code) {
            nodes.push(i);
        }
    }
    let Some(anchor) = anchor else {
        nodes.truncate(max);
        return nodes;
    };
    let Ok(code) = anchor else {
        return Vec::new();
    };
    let Some(at) = nodes.iter().position(|&i| entries[i].code == code) else {
        return Vec::new();
    };
    if to {
        let first = (at + 1).saturating_sub(max);
        nodes[first..=at].to_vec()
    } else {
        nodes[at..].iter().take(max).copied().collect()
    }
}

impl Finish for PathFinish {
    type Codec = LabelCodec;

    fn name(&self) -> &'static str {
        "journey_path"
    }

    fn return_type(&self) -> DataType {
        DataType::List(Arc::new(Field::new_list_field(
            DataType::Struct(path_fields()),
            true,
        )))
    }

    fn finish(&self, groups: &mut [Vec<Entry>], codec: &LabelCodec) -> Result<ArrayRef> {
        // The anchor's code in this accumulator; `Err` when no event here has the node.
        let (anchor, to) = match &self.anchor {
            PathAnchor::Start => (None, false),
            PathAnchor::From(n) => (Some(codec.code(n).ok_or(())), false),
            PathAnchor::To(n) => (Some(codec.code(n).ok_or(())), true),
        };
        let mut lengths = Vec::with_capacity(groups.len());
        let mut nodes: Vec<&str> = Vec::new();
        let mut times = Vec::new();
        for group in groups.iter() {
            let kept = cut(group, anchor, to, self.max_nodes);
            lengths.push(kept.len());
            for i in kept {
                nodes.push(codec.label(group[i].code));
                times.push(group[i].time_us);
            }
        }
        let values = StructArray::new(
            path_fields(),
            vec![
                Arc::new(StringArray::from(nodes)),
                Arc::new(Int64Array::new(ScalarBuffer::from(times), None)),
            ],
            None,
        );
        Ok(Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(DataType::Struct(path_fields()), true)),
            OffsetBuffer::from_lengths(lengths),
            Arc::new(values),
            None,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(codes: &[u32]) -> Vec<Entry> {
        codes
            .iter()
            .enumerate()
            .map(|(i, &code)| Entry {
                time_us: i64::try_from(i).unwrap(),
                ordinal: 0,
                code,
            })
            .collect()
    }

    #[test]
    fn repeats_collapse_and_the_path_is_cut() {
        let e = entries(&[1, 1, 2, 3, 3, 2, 4]);
        let codes = |idx: Vec<usize>| idx.iter().map(|&i| e[i].code).collect::<Vec<_>>();
        assert_eq!(codes(cut(&e, None, false, 3)), [1, 2, 3]);
        assert_eq!(codes(cut(&e, Some(Ok(2)), false, 3)), [2, 3, 2]);
        assert_eq!(codes(cut(&e, Some(Ok(3)), true, 2)), [2, 3]);
        assert_eq!(codes(cut(&e, Some(Ok(3)), true, 9)), [1, 2, 3]);
        assert!(cut(&e, Some(Ok(9)), false, 3).is_empty());
        assert!(cut(&e, Some(Err(())), false, 3).is_empty());
        // The first of a run keeps its time.
        assert_eq!(cut(&e, Some(Ok(3)), false, 1), [3]);
    }
}
