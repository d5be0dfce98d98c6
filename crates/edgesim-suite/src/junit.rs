//! A JUnit XML report (the format CI systems read): one `<testcase>` per case, the failure
//! lines in `<failure>`.

use std::fmt::Write as _;

use crate::Outcome;

fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .fold(String::new(), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c => out.push(c),
            }
            out
        })
}

pub fn report(suite: &str, outcomes: &[Outcome]) -> String {
    let failures = outcomes
        .iter()
        .filter(|o| matches!(&o.result, Ok(r) if !r.failures.is_empty()))
        .count();
    let errors = outcomes.iter().filter(|o| o.result.is_err()).count();
    let time: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites><testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{time:.3}\">",
        escape(suite),
        outcomes.len()
    );
    for o in outcomes {
        let _ = write!(
            xml,
            "  <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3}\"",
            o.kind.label(),
            escape(&o.name),
            escape(&o.file.display().to_string()),
            o.duration.as_secs_f64()
        );
        match &o.result {
            Ok(run) if run.failures.is_empty() => xml.push_str("/>\n"),
            Ok(run) => {
                let first = run.failures.first().cloned().unwrap_or_default();
                let _ = writeln!(
                    xml,
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                    escape(&first),
                    escape(&run.failures.join("\n"))
                );
            }
            Err(e) => {
                let _ = writeln!(
                    xml,
                    ">\n    <error message=\"{}\"/>\n  </testcase>",
                    escape(&e.to_string())
                );
            }
        }
    }
    xml.push_str("</testsuite></testsuites>\n");
    xml
}
