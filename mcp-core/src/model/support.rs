//! Private helpers shared by the model modules: setter and wire-tag macros, and serde glue for
//! discriminated unions and compact numbers.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serializer};
use serde_json::Value;

use crate::JsonObject;

/// Generates chainable `with_<field>(self, impl Into<T>) -> Self` setters for `Option<T>` fields.
macro_rules! setters {
    ($ty:ident { $($setter:ident => $field:ident : $fty:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets the optional `", stringify!($field), "`.")]
                #[must_use]
                pub fn $setter(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// Defines a zero-sized marker that is a fixed string on the wire (a `const` discriminator such
/// as `"type": "text"`): it always serializes as that string and only deserializes from it.
macro_rules! wire_tag {
    ($($name:ident = $value:literal),* $(,)?) => {
        $(
            #[doc = concat!("The constant `\"", $value, "\"` on the wire.")]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub(crate) struct $name;

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str($value)
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer
                        .deserialize_str($crate::model::support::ConstStrVisitor($value))
                        .map(|()| $name)
                }
            }
        )*
    };
}

/// Accepts exactly one string value.
pub(crate) struct ConstStrVisitor(pub(crate) &'static str);

impl de::Visitor<'_> for ConstStrVisitor {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the string {:?}", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v == self.0 {
            Ok(())
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

/// Reads a JSON object and the string value of its discriminator `key` (`None` if absent).
pub(crate) fn object_with_tag<'de, D: Deserializer<'de>>(
    deserializer: D,
    key: &'static str,
) -> Result<(JsonObject, Option<String>), D::Error> {
    let object = JsonObject::deserialize(deserializer)?;
    let tag = match object.get(key) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(de::Error::custom(format_args!("`{key}` must be a string"))),
    };
    Ok((object, tag))
}

/// Deserializes `T` from an already-read object, mapping the error into the outer deserializer's.
pub(crate) fn from_object<T: DeserializeOwned, E: de::Error>(object: JsonObject) -> Result<T, E> {
    T::deserialize(Value::Object(object)).map_err(E::custom)
}

/// 2^53: every integral `f64` below this is exactly an integer.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Writes an `f64` as a JSON integer when it is integral (`1` rather than `1.0`), as other SDKs do.
pub(crate) fn ser_f64<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let v = *value;
    if v.is_finite() && v.fract() == 0.0 && v.abs() < EXACT_INT_LIMIT {
        // The range check above makes the conversion exact.
        #[allow(clippy::cast_possible_truncation)]
        serializer.serialize_i64(v as i64)
    } else {
        serializer.serialize_f64(v)
    }
}

/// [`ser_f64`] for optional fields (which are skipped when `None`).
pub(crate) fn ser_opt_f64<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => ser_f64(v, serializer),
        None => serializer.serialize_none(),
    }
}
