//! `file_order(file_name)`: the position of an event file in the table, for ordering events.
//!
//! Events of one customer at the same time keep the order of the files (which are named by
//! import, so this is the import order) and of the rows in a file. The ordinal of an event is
//! `file_order(input_file_name()) * 2^40 + file_row_index()`.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Rows a file may have before ordinals of neighbouring files would overlap.
pub const ROWS_PER_FILE: i64 = 1 << 40;

/// The `file_order` function over the given files (file names in table order).
#[must_use]
pub fn file_order_udf(files: &[String]) -> ScalarUDF {
    let order = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), i64::try_from(i).unwrap_or(i64::MAX)))
        .collect();
    ScalarUDF::from(FileOrder {
        signature: Signature::exact(vec![DataType::Utf8], Volatility::Immutable),
        order: Arc::new(order),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct FileOrder {
    signature: Signature,
    order: Arc<BTreeMap<String, i64>>,
}

impl FileOrder {
    /// The position of a file given by path or URL: looked up by its last path segment.
    fn position(&self, path: &str) -> i64 {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        // A file that appeared after the session was opened goes after every known one.
        self.order
            .get(name)
            .copied()
            .unwrap_or(i64::try_from(self.order.len()).unwrap_or(i64::MAX))
    }
}

impl ScalarUDFImpl for FileOrder {
    fn name(&self) -> &str {
        "file_order"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Utf8(v)) => Ok(ColumnarValue::Scalar(
                ScalarValue::Int64(v.as_deref().map(|p| self.position(p))),
            )),
            ColumnarValue::Array(array) => {
                let Some(strings) = array.as_string_opt::<i32>() else {
                    return exec_err!("file_order: the file name must be Utf8");
                };
                let out: Int64Array = strings
                    .iter()
                    .map(|v| v.map(|p| self.position(p)))
                    .collect();
                Ok(ColumnarValue::Array(Arc::new(out)))
            }
            ColumnarValue::Scalar(_) => exec_err!("file_order: the file name must be Utf8"),
        }
    }
}
