//! The common part of the journey aggregates: collecting one group's events in any order.
//!
//! A journey aggregate (funnel, path, stage sequence) needs a customer's events in time order,
//! but the rows of a customer arrive in any order, spread over partitions. Each accumulator
//! therefore keeps `(time, ordinal, payload)` entries per group; partial states are three
//! lists with the same offsets, and merging concatenates them. Sorting happens once, when the
//! group is finished, so merging is associative and commutative and the plans can run
//! partitioned or distributed. The payload is a `u32`: a step bitmask, or a code of a
//! label interned by the accumulator.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, ListArray, UInt32Array,
};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, internal_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};

/// One event of a group: when, where in the files, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Entry {
    pub time_us: i64,
    pub ordinal: i64,
    pub code: u32,
}

/// How a payload column turns into `u32` codes and back.
pub(crate) trait Codec: Default + Send + Sync + 'static {
    /// The Arrow type of the payload column.
    fn data_type() -> DataType;
    /// The code of each row, `None` for a null.
    fn encode(&mut self, values: &ArrayRef, out: &mut Vec<Option<u32>>) -> Result<()>;
    /// The payload column of the given codes.
    fn decode(&self, codes: &[u32]) -> ArrayRef;
    /// Bytes held.
    fn size(&self) -> usize;
}

/// What a finished group turns into.
pub(crate) trait Finish:
    Debug + Clone + PartialEq + Eq + Hash + Send + Sync + 'static
{
    /// How the payload is coded.
    type Codec: Codec;
    /// The aggregate's name.
    fn name(&self) -> &'static str;
    /// The aggregate's result type.
    fn return_type(&self) -> DataType;
    /// The results of some groups; each group's entries are sorted by time and ordinal.
    fn finish(&self, groups: &mut [Vec<Entry>], codec: &Self::Codec) -> Result<ArrayRef>;
}

/// The payload is the integer itself (a step bitmask).
#[derive(Debug, Default)]
pub(crate) struct MaskCodec;

impl Codec for MaskCodec {
    fn data_type() -> DataType {
        DataType::UInt32
    }

    fn encode(&mut self, values: &ArrayRef, out: &mut Vec<Option<u32>>) -> Result<()> {
        let Some(values) = values.as_primitive_opt::<datafusion::arrow::datatypes::UInt32Type>()
        else {
            return internal_err!("journey aggregate: the payload must be UInt32");
        };
        out.extend(values.iter());
        Ok(())
    }

    fn decode(&self, codes: &[u32]) -> ArrayRef {
        Arc::new(UInt32Array::from(codes.to_vec()))
    }

    fn size(&self) -> usize {
        0
    }
}

/// The payload is a label, interned per accumulator.
#[derive(Debug, Default)]
pub(crate) struct LabelCodec {
    codes: std::collections::HashMap<String, u32>,
    labels: Vec<String>,
}

impl LabelCodec {
    pub(crate) fn code(&self, label: &str) -> Option<u32> {
        self.codes.get(label).copied()
    }

    pub(crate) fn label(&self, code: u32) -> &str {
        &self.labels[code as usize]
    }

    pub(crate) fn intern(&mut self, label: &str) -> u32 {
        if let Some(&c) = self.codes.get(label) {
            return c;
        }
        let c = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.codes.insert(label.to_owned(), c);
        self.labels.push(label.to_owned());
        c
    }
}

impl Codec for LabelCodec {
    fn data_type() -> DataType {
        DataType::Utf8
    }

    fn encode(&mut self, values: &ArrayRef, out: &mut Vec<Option<u32>>) -> Result<()> {
        let Some(values) = values.as_string_opt::<i32>() else {
            return internal_err!("journey aggregate: the label must be Utf8");
        };
        out.extend(values.iter().map(|v| v.map(|s| self.intern(s))));
        Ok(())
    }

    fn decode(&self, codes: &[u32]) -> ArrayRef {
        Arc::new(datafusion::arrow::array::StringArray::from_iter_values(
            codes.iter().map(|&c| self.label(c)),
        ))
    }

    fn size(&self) -> usize {
        self.labels
            .iter()
            .map(|l| 2 * l.capacity() + 48)
            .sum::<usize>()
    }
}

/// The aggregate function: `name(time_us, ordinal, payload)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SequenceUdaf<F: Finish> {
    signature: Signature,
    finish: F,
}

impl<F: Finish> SequenceUdaf<F> {
    pub(crate) fn new(finish: F) -> Self {
        SequenceUdaf {
            signature: Signature::exact(
                vec![DataType::Int64, DataType::Int64, F::Codec::data_type()],
                Volatility::Immutable,
            ),
            finish,
        }
    }
}

fn list_field(name: String, item: DataType) -> FieldRef {
    Arc::new(Field::new_list(
        name,
        Field::new_list_field(item, true),
        true,
    ))
}

impl<F: Finish> AggregateUDFImpl for SequenceUdaf<F> {
    fn name(&self) -> &str {
        self.finish.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.finish.return_type())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            list_field(format_state_name(args.name, "time"), DataType::Int64),
            list_field(format_state_name(args.name, "ordinal"), DataType::Int64),
            list_field(
                format_state_name(args.name, "payload"),
                F::Codec::data_type(),
            ),
        ])
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SequenceAccumulator(SequenceGroups::new(
            self.finish.clone(),
        ))))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SequenceGroups::new(self.finish.clone())))
    }
}

/// Per-group entries.
pub(crate) struct SequenceGroups<F: Finish> {
    finish: F,
    codec: F::Codec,
    groups: Vec<Vec<Entry>>,
    /// Entries held, for [`GroupsAccumulator::size`].
    entries: usize,
    codes: Vec<Option<u32>>,
}

impl<F: Finish> SequenceGroups<F> {
    fn new(finish: F) -> Self {
        SequenceGroups {
            finish,
            codec: F::Codec::default(),
            groups: Vec::new(),
            entries: 0,
            codes: Vec::new(),
        }
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<Vec<Entry>> {
        let taken = emit_to.take_needed(&mut self.groups);
        self.entries -= taken.iter().map(Vec::len).sum::<usize>();
        taken
    }

    fn push(&mut self, group: usize, entry: Entry) {
        self.groups[group].push(entry);
        self.entries += 1;
    }

    fn lists(&self, groups: &[Vec<Entry>]) -> Vec<ArrayRef> {
        let total: usize = groups.iter().map(Vec::len).sum();
        let mut times = Vec::with_capacity(total);
        let mut ordinals = Vec::with_capacity(total);
        let mut codes = Vec::with_capacity(total);
        for e in groups.iter().flatten() {
            times.push(e.time_us);
            ordinals.push(e.ordinal);
            codes.push(e.code);
        }
        let offsets = OffsetBuffer::from_lengths(groups.iter().map(Vec::len));
        let list = |values: ArrayRef| -> ArrayRef {
            let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
            Arc::new(ListArray::new(field, offsets.clone(), values, None))
        };
        vec![
            list(Arc::new(Int64Array::new(ScalarBuffer::from(times), None))),
            list(Arc::new(Int64Array::new(
                ScalarBuffer::from(ordinals),
                None,
            ))),
            list(self.codec.decode(&codes)),
        ]
    }
}

fn int64s(array: &ArrayRef) -> Result<&Int64Array> {
    match array.as_primitive_opt::<Int64Type>() {
        Some(a) => Ok(a),
        None => internal_err!("journey aggregate: time and ordinal must be Int64"),
    }
}

impl<F: Finish> GroupsAccumulator for SequenceGroups<F> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.groups.resize_with(total_num_groups, Vec::new);
        let times = int64s(&values[0])?;
        let ordinals = int64s(&values[1])?;
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        self.codec.encode(&values[2], &mut codes)?;
        let (tv, ov) = (times.values(), ordinals.values());
        for (row, &group) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row))
                || times.is_null(row)
                || ordinals.is_null(row)
            {
                continue;
            }
            let Some(code) = codes[row] else { continue };
            self.push(
                group,
                Entry {
                    time_us: tv[row],
                    ordinal: ov[row],
                    code,
                },
            );
        }
        self.codes = codes;
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut groups = self.take(emit_to);
        for g in &mut groups {
            g.sort_unstable();
        }
        self.finish.finish(&mut groups, &self.codec)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = self.take(emit_to);
        Ok(self.lists(&groups))
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.groups.resize_with(total_num_groups, Vec::new);
        let (Some(times), Some(ordinals), Some(payloads)) = (
            values[0].as_list_opt::<i32>(),
            values[1].as_list_opt::<i32>(),
            values[2].as_list_opt::<i32>(),
        ) else {
            return internal_err!("journey aggregate: the state must be three lists");
        };
        // Each list has its own offsets (the arrays may have been sliced or rebuilt apart),
        // but the same length per row.
        let tv = int64s(times.values())?.values().clone();
        let ov = int64s(ordinals.values())?.values().clone();
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        self.codec.encode(payloads.values(), &mut codes)?;
        let (to, oo, po) = (
            times.value_offsets(),
            ordinals.value_offsets(),
            payloads.value_offsets(),
        );
        let at = |offsets: &[i32], row: usize| usize::try_from(offsets[row]).unwrap_or(0);
        for (row, &group) in group_indices.iter().enumerate() {
            if times.is_null(row) {
                continue;
            }
            let (t0, o0, p0) = (at(to, row), at(oo, row), at(po, row));
            let len = at(to, row + 1) - t0;
            for j in 0..len {
                let Some(code) = codes[p0 + j] else { continue };
                self.push(
                    group,
                    Entry {
                        time_us: tv[t0 + j],
                        ordinal: ov[o0 + j],
                        code,
                    },
                );
            }
        }
        self.codes = codes;
        Ok(())
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        // One single-entry list per row; rows that are null or filtered out get an empty list.
        let times = int64s(&values[0])?;
        let ordinals = int64s(&values[1])?;
        let n = times.len();
        let keep: Vec<bool> = (0..n)
            .map(|row| {
                !(opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row))
                    || times.is_null(row)
                    || ordinals.is_null(row)
                    || values[2].is_null(row))
            })
            .collect();
        let offsets = OffsetBuffer::from_lengths(keep.iter().map(|&k| usize::from(k)));
        let filter = BooleanArray::from(keep);
        let list = |values: &ArrayRef| -> Result<ArrayRef> {
            let kept = datafusion::arrow::compute::filter(values, &filter)?;
            let field = Arc::new(Field::new_list_field(kept.data_type().clone(), true));
            Ok(Arc::new(ListArray::new(field, offsets.clone(), kept, None)))
        };
        Ok(vec![
            list(&values[0])?,
            list(&values[1])?,
            list(&values[2])?,
        ])
    }

    fn size(&self) -> usize {
        self.entries * std::mem::size_of::<Entry>()
            + self.groups.capacity() * std::mem::size_of::<Vec<Entry>>()
            + self.codes.capacity() * std::mem::size_of::<Option<u32>>()
            + self.codec.size()
    }
}

/// The same aggregate without GROUP BY: one group.
struct SequenceAccumulator<F: Finish>(SequenceGroups<F>);

impl<F: Finish> Debug for SequenceAccumulator<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequenceAccumulator")
            .field("entries", &self.0.entries)
            .finish()
    }
}

impl<F: Finish> Accumulator for SequenceAccumulator<F> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; values[0].len()];
        self.0.update_batch(values, &groups, None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.0.groups.resize_with(1, Vec::new);
        let result = self.0.evaluate(EmitTo::All)?;
        ScalarValue::try_from_array(&result, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.groups.resize_with(1, Vec::new);
        let state = self.0.state(EmitTo::All)?;
        state
            .iter()
            .map(|a| ScalarValue::try_from_array(a, 0))
            .collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let groups = vec![0; states[0].len()];
        self.0.merge_batch(states, &groups, 1)
    }
}
