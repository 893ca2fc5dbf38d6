//! `conversion_paths(time_us, ordinal, {node, value})`: a customer's conversion paths, as an
//! aggregate.
//!
//! Each row is a touch (`node` set: a channel group or touchpoint id) or a conversion (`node`
//! null, `value` its conversion value). Grouped by customer, the rows in time order are split
//! into journeys by [`split_journeys`](crate::attribution::journeys::split_journeys): the
//! touches up to each conversion, within the look-back window, and the touches after the last
//! conversion as a journey that did not convert. The result is a list of
//! `{path, converted, value}` structs, the path's nodes joined by [`NODE_SEPARATOR`].

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, ListArray, StringArray, StructArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Float64Type};
use datafusion::common::{Result, internal_err};
use datafusion::logical_expr::AggregateUDF;

use crate::attribution::journeys::{JourneyRules, Step, split_journeys};
use crate::udf::sequence::{Codec, Entry, Finish, LabelCodec, SequenceUdaf};

/// Joins the nodes of a path in the result (the ASCII unit separator, which no channel or
/// touchpoint name contains).
pub const NODE_SEPARATOR: char = '\u{1f}';

/// The `conversion_paths` aggregate with the given rules.
#[must_use]
pub fn conversion_paths_udaf(rules: JourneyRules) -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf::new(PathsFinish { rules }))
}

/// The fields of the payload column: `node` (Utf8) and `value` (Float64), both nullable, as
/// `named_struct('node', …, 'value', …)` makes them.
#[must_use]
pub fn payload_fields() -> Fields {
    Fields::from(vec![
        Field::new("node", DataType::Utf8, true),
        Field::new("value", DataType::Float64, true),
    ])
}

/// The fields of one result element.
#[must_use]
pub fn journey_fields() -> Fields {
    Fields::from(vec![
        Field::new("path", DataType::Utf8, false),
        Field::new("converted", DataType::Boolean, false),
        Field::new("value", DataType::Float64, false),
    ])
}

/// Codes with this bit are conversions (the rest is an index into the interned values);
/// others are interned node labels.
const CONVERSION: u32 = 1 << 31;

/// Touch labels and conversion values, interned per accumulator.
#[derive(Debug, Default)]
pub(crate) struct TouchCodec {
    labels: LabelCodec,
    values: Vec<f64>,
    value_codes: HashMap<u64, u32>,
}

impl TouchCodec {
    fn value_code(&mut self, value: f64) -> u32 {
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let code = *self.value_codes.entry(value.to_bits()).or_insert(next);
        if code == next {
            self.values.push(value);
        }
        code | CONVERSION
    }

    fn step(&self, code: u32) -> Step {
        if code & CONVERSION == 0 {
            Step::Touch(code)
        } else {
            Step::Conversion(self.values[(code & !CONVERSION) as usize])
        }
    }
}

impl Codec for TouchCodec {
    fn data_type() -> DataType {
        DataType::Struct(payload_fields())
    }

    fn encode(&mut self, values: &ArrayRef, out: &mut Vec<Option<u32>>) -> Result<()> {
        let Some(payload) = values.as_struct_opt() else {
            return internal_err!("conversion_paths: the payload must be a struct");
        };
        let (Some(nodes), Some(amounts)) = (
            payload.column(0).as_string_opt::<i32>(),
            payload.column(1).as_primitive_opt::<Float64Type>(),
        ) else {
            return internal_err!(
                "conversion_paths: the payload must be {{node: Utf8, value: Float64}}"
            );
        };
        for row in 0..payload.len() {
            out.push(if payload.is_null(row) {
                None
            } else if nodes.is_valid(row) {
                let code = self.labels.intern(nodes.value(row));
                (code < CONVERSION).then_some(code)
            } else {
                let v = if amounts.is_valid(row) {
                    amounts.value(row)
                } else {
                    0.0
                };
                Some(self.value_code(v))
            });
        }
        Ok(())
    }

    fn decode(&self, codes: &[u32]) -> ArrayRef {
        let nodes: StringArray = codes
            .iter()
            .map(|&c| (c & CONVERSION == 0).then(|| self.labels.label(c)))
            .collect();
        let values: Float64Array = codes
            .iter()
            .map(|&c| match self.step(c) {
                Step::Conversion(v) => Some(v),
                Step::Touch(_) => None,
            })
            .collect();
        Arc::new(StructArray::new(
            payload_fields(),
            vec![Arc::new(nodes), Arc::new(values)],
            None,
        ))
    }

    fn size(&self) -> usize {
        self.labels.size() + self.values.capacity() * 8 + self.value_codes.capacity() * 16
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PathsFinish {
    rules: JourneyRules,
}

impl Finish for PathsFinish {
    type Codec = TouchCodec;

    fn name(&self) -> &'static str {
        "conversion_paths"
    }

    fn return_type(&self) -> DataType {
        DataType::List(Arc::new(Field::new_list_field(
            DataType::Struct(journey_fields()),
            true,
        )))
    }

    fn finish(&self, groups: &mut [Vec<Entry>], codec: &TouchCodec) -> Result<ArrayRef> {
        let mut lengths = Vec::with_capacity(groups.len());
        let mut paths: Vec<String> = Vec::new();
        let mut converted = Vec::new();
        let mut values = Vec::new();
        let mut steps = Vec::new();
        for group in groups.iter() {
            steps.clear();
            steps.extend(group.iter().map(|e| (e.time_us, codec.step(e.code))));
            let journeys = split_journeys(&steps, &self.rules);
            lengths.push(journeys.len());
            for j in journeys {
                let mut text = String::new();
                for (i, &code) in j.touches.iter().enumerate() {
                    if i > 0 {
                        text.push(NODE_SEPARATOR);
                    }
                    text.push_str(codec.labels.label(code));
                }
                paths.push(text);
                converted.push(j.converted);
                values.push(j.value);
            }
        }
        let items = StructArray::new(
            journey_fields(),
            vec![
                Arc::new(StringArray::from(paths)),
                Arc::new(BooleanArray::from(converted)),
                Arc::new(Float64Array::from(values)),
            ],
            None,
        );
        Ok(Arc::new(ListArray::new(
            Arc::new(Field::new_list_field(
                DataType::Struct(journey_fields()),
                true,
            )),
            OffsetBuffer::from_lengths(lengths),
            Arc::new(items),
            None,
        )))
    }
}
