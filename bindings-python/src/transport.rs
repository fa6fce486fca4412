//! The `transport=` argument of `NetNode`: a dict such as
//! `{"type": "mesh", "bind": ..., "psk": bytes, ...}` turned into the JSON
//! value the core's `TransportConfig::from_value` reads. Only the value
//! shapes are translated here (bytes become hex); the keys and their
//! meaning are the core's.

use net_sdk::{SdkError, TransportConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};
use serde_json::Value;

use crate::errors::raise;

fn refuse(message: String) -> PyErr {
    raise(SdkError::InvalidConfig(format!("transport: {message}")))
}

fn to_json(value: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: a Python bool is an int.
    if let Ok(b) = value.downcast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = value.downcast::<PyInt>() {
        if let Ok(n) = i.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Ok(Value::from(i.extract::<i64>().map_err(|_| refuse(format!("{path} is out of range")))?));
    }
    if let Ok(f) = value.downcast::<PyFloat>() {
        return serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| refuse(format!("{path} is not a finite number")));
    }
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = value.downcast::<PyBytes>() {
        return Ok(Value::String(hex::encode(b.as_bytes())));
    }
    if let Ok(d) = value.downcast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| refuse(format!("{path} has a key that is not a str")))?;
            let inner = to_json(&v, &format!("{path}.{key}"))?;
            map.insert(key, inner);
        }
        return Ok(Value::Object(map));
    }
    Err(refuse(format!("{path} has an unsupported type {}", value.get_type().name()?)))
}

/// Read `transport=` (a dict, or None for the in-memory bus).
pub(crate) fn from_py(transport: Option<&Bound<'_, PyAny>>) -> PyResult<TransportConfig> {
    match transport {
        None => Ok(TransportConfig::Memory),
        Some(t) if t.is_none() => Ok(TransportConfig::Memory),
        Some(t) => {
            if !t.is_instance_of::<PyDict>() {
                return Err(refuse(format!("must be a dict with a \"type\", got {}", t.get_type().name()?)));
            }
            TransportConfig::from_value(to_json(t, "transport")?).map_err(raise)
        }
    }
}
