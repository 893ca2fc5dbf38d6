//! `json_prop(properties, key)`: one value of an event's JSON properties, as text.
//!
//! Match rules compare property values as text, so a string comes back as itself, a number or
//! boolean in its JSON spelling, and an object or list as compact JSON. A missing key, a JSON
//! `null` or a row whose properties are not a JSON object give NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The `json_prop` function.
#[must_use]
pub fn json_prop_udf() -> ScalarUDF {
    ScalarUDF::from(JsonProp {
        signature: Signature::exact(vec![DataType::Utf8, DataType::Utf8], Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonProp {
    signature: Signature,
}

/// The text of one property of a JSON object, as match rules see it.
#[must_use]
pub fn property_text(properties: &str, key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(properties).ok()?;
    match value.as_object()?.get(key)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl ScalarUDFImpl for JsonProp {
    fn name(&self) -> &str {
        "json_prop"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let key = match &args.args[1] {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(k))) => k.clone(),
            _ => return exec_err!("json_prop: the key must be a text literal"),
        };
        match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Utf8(v)) => Ok(ColumnarValue::Scalar(
                ScalarValue::Utf8(v.as_deref().and_then(|p| property_text(p, &key))),
            )),
            ColumnarValue::Array(array) => {
                let Some(strings) = array.as_string_opt::<i32>() else {
                    return exec_err!("json_prop: the properties must be Utf8");
                };
                let mut out = StringBuilder::with_capacity(strings.len(), strings.len() * 8);
                for v in strings {
                    out.append_option(v.and_then(|p| property_text(p, &key)));
                }
                let out: ArrayRef = Arc::new(out.finish());
                Ok(ColumnarValue::Array(out))
            }
            ColumnarValue::Scalar(_) => exec_err!("json_prop: the properties must be Utf8"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::property_text;

    #[test]
    fn values_come_back_as_text() {
        let p = r#"{"lang":"fi","n":3,"ok":true,"none":null,"tags":["a"]}"#;
        assert_eq!(property_text(p, "lang").as_deref(), Some("fi"));
        assert_eq!(property_text(p, "n").as_deref(), Some("3"));
        assert_eq!(property_text(p, "ok").as_deref(), Some("true"));
        assert_eq!(property_text(p, "none"), None);
        assert_eq!(property_text(p, "tags").as_deref(), Some(r#"["a"]"#));
        assert_eq!(property_text(p, "missing"), None);
        assert_eq!(property_text("not json", "lang"), None);
        assert_eq!(property_text("[1]", "lang"), None);
    }
}
