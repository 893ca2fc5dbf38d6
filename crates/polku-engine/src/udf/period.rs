//! `period_index(time_us)`: the calendar period (day, ISO week or month) of a time.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::time::Period;

/// The `period_index` function for one kind of period (see [`Period::index`]).
#[must_use]
pub fn period_index_udf(period: Period) -> ScalarUDF {
    ScalarUDF::from(PeriodIndex {
        signature: Signature::exact(vec![DataType::Int64], Volatility::Immutable),
        period,
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PeriodIndex {
    signature: Signature,
    period: Period,
}

impl ScalarUDFImpl for PeriodIndex {
    fn name(&self) -> &str {
        match self.period {
            Period::Day => "day_index",
            Period::Week => "week_index",
            Period::Month => "month_index",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Int64(v)) => Ok(ColumnarValue::Scalar(
                ScalarValue::Int64(v.map(|t| self.period.index(t))),
            )),
            ColumnarValue::Array(array) => {
                let Some(times) = array.as_primitive_opt::<Int64Type>() else {
                    return exec_err!("period_index: the time must be Int64");
                };
                let out: Int64Array = times.unary(|t| self.period.index(t));
                Ok(ColumnarValue::Array(Arc::new(out)))
            }
            ColumnarValue::Scalar(_) => exec_err!("period_index: the time must be Int64"),
        }
    }
}
