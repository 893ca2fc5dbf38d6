//! Parquet event files with a column mapping. Rows are numbered from 1 in error messages.

use std::borrow::Cow;
use std::fs::File;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Cell, Cells, Kind, Mapper, Raw, ReadOptions, Sink, push_member};
use crate::error::IngestError;

struct ArrowCells<'a> {
    batch: &'a RecordBatch,
    row: usize,
}

fn cell_of(col: &dyn Array, row: usize) -> Result<Cell<'_>, String> {
    if col.is_null(row) {
        return Ok(Cell::Null);
    }
    Ok(match col.data_type() {
        DataType::Utf8 => Cell::Str(Cow::Borrowed(col.as_string::<i32>().value(row))),
        DataType::LargeUtf8 => Cell::Str(Cow::Borrowed(col.as_string::<i64>().value(row))),
        DataType::Utf8View => Cell::Str(Cow::Borrowed(col.as_string_view().value(row))),
        DataType::Boolean => Cell::Bool(col.as_boolean().value(row)),
        DataType::Int8 => Cell::Int(i64::from(col.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => Cell::Int(i64::from(col.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => Cell::Int(i64::from(col.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Cell::Int(col.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Cell::Int(i64::from(col.as_primitive::<UInt8Type>().value(row))),
        DataType::UInt16 => Cell::Int(i64::from(col.as_primitive::<UInt16Type>().value(row))),
        DataType::UInt32 => Cell::Int(i64::from(col.as_primitive::<UInt32Type>().value(row))),
        DataType::UInt64 => Cell::Int(
            i64::try_from(col.as_primitive::<UInt64Type>().value(row))
                .map_err(|_| "integer too large")?,
        ),
        DataType::Float32 => Cell::Float(f64::from(col.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => Cell::Float(col.as_primitive::<Float64Type>().value(row)),
        DataType::Timestamp(unit, _) => Cell::Micros(match unit {
            TimeUnit::Second => col
                .as_primitive::<TimestampSecondType>()
                .value(row)
                .saturating_mul(1_000_000),
            TimeUnit::Millisecond => col
                .as_primitive::<TimestampMillisecondType>()
                .value(row)
                .saturating_mul(1000),
            TimeUnit::Microsecond => col.as_primitive::<TimestampMicrosecondType>().value(row),
            TimeUnit::Nanosecond => col.as_primitive::<TimestampNanosecondType>().value(row) / 1000,
        }),
        DataType::Date32 => {
            let days = col.as_primitive::<Date32Type>().value(row);
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(days))))
                .ok_or("date out of range")?;
            Cell::Str(Cow::Owned(date.format("%Y-%m-%d").to_string()))
        }
        DataType::Date64 => Cell::Micros(
            col.as_primitive::<Date64Type>()
                .value(row)
                .saturating_mul(1000),
        ),
        other => {
            return Err(format!(
                "columns of type {other} are not supported here; cast the column to text"
            ));
        }
    })
}

impl Cells for ArrowCells<'_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, String> {
        cell_of(self.batch.column(i).as_ref(), self.row)
    }

    fn properties(&self, mapper: &Mapper, out: &mut String) -> Result<(), (usize, String)> {
        for &i in &mapper.mapping.rest {
            // Nested and exotic columns are left out of the properties rather than failing.
            if let Ok(cell) = self.cell(i) {
                push_member(out, &mapper.header[i], &cell, Kind::Text);
            }
        }
        Ok(())
    }
}

/// Reads a Parquet event file into `sink`.
///
/// # Errors
/// When the file is not Parquet, the mapping fails, or the sink stops.
pub fn read(file: File, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), IngestError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| opts.file_error(format!("not a readable Parquet file: {e}")))?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let kinds = vec![Kind::Text; header.len()];
    let mapper = Mapper::new(header, &opts.mapping, kinds, opts.time)
        .map_err(|m| IngestError::BadRows(vec![opts.row_error(1, "-", m)]))?;
    let reader = builder
        .with_batch_size(8192)
        .build()
        .map_err(|e| opts.file_error(e.to_string()))?;
    let mut props = String::with_capacity(256);
    let mut row_no = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| opts.file_error(e.to_string()))?;
        for row in 0..batch.num_rows() {
            row_no += 1;
            let cells = ArrowCells { batch: &batch, row };
            match mapper.map(&cells, &mut props) {
                Ok(r) => sink.event(row_no, r)?,
                Err((column, message)) => {
                    sink.bad(opts.row_error(row_no, column, message), Raw::None)?
                }
            }
        }
        sink.position(row_no);
    }
    Ok(())
}
