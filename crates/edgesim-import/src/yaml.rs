//! CloudFormation YAML: parsed with serde_norway, whose `Value::Tagged` keeps the short forms of
//! intrinsic functions (`!Ref`, `!Sub`, `!GetAtt`…), then turned into the JSON form
//! (`{"Ref": …}`, `{"Fn::Sub": …}`) so one resolver handles both syntaxes.
//!
//! serde_norway is the maintained fork of serde_yaml 0.9 (archived in 2024; serde_yml carries an
//! unsoundness advisory): same `Value` model, libyaml underneath, MIT OR Apache-2.0.

use serde_json::{Map, Number, Value};
use serde_norway::Value as Yaml;

/// Parses YAML text; the error names the line and column.
pub fn parse(text: &str) -> Result<Value, String> {
    let yaml: Yaml = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    to_json(yaml)
}

fn to_json(yaml: Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => {
                        return Err(format!("a mapping key must be a string, found {other:?}"))
                    }
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!').to_owned();
            let value = to_json(tagged.value)?;
            let (key, value) = match name.as_str() {
                "Ref" => ("Ref".to_owned(), value),
                "Condition" => ("Condition".to_owned(), value),
                // `!GetAtt Res.Attr` is the dotted string form; the JSON form is a list.
                "GetAtt" => (
                    "Fn::GetAtt".to_owned(),
                    match value {
                        Value::String(s) => match s.split_once('.') {
                            Some((res, attr)) => Value::Array(vec![res.into(), attr.into()]),
                            None => Value::String(s),
                        },
                        other => other,
                    },
                ),
                _ => (format!("Fn::{name}"), value),
            };
            let mut out = Map::new();
            out.insert(key, value);
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_tags_become_the_json_form() {
        let v = parse(
            "A: !Ref Bucket\nB: !GetAtt Bucket.RegionalDomainName\nC: !Sub '${AWS::Region}-x'\nD: !Join ['', [a, !Ref P]]\nE: !If [IsProd, 1, 2]\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "A": {"Ref": "Bucket"},
                "B": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
                "C": {"Fn::Sub": "${AWS::Region}-x"},
                "D": {"Fn::Join": ["", ["a", {"Ref": "P"}]]},
                "E": {"Fn::If": ["IsProd", 1, 2]},
            })
        );
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.contains("line"), "{err}");
    }
}
