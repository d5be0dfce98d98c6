//! Config errors: file, line and field, before anything listens.

use crate::harness::Edge;

async fn start_error(config: &str, files: &[(&str, &str)]) -> String {
    match Edge::try_start(config, files).await {
        Ok(_) => panic!("the config was accepted"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn unknown_ids_and_bad_patterns_name_file_line_and_field() {
    let unknown_origin =
        "[[origins]]\nid = \"site\"\nmock = {}\n[default_behavior]\norigin = \"sight\"\n";
    let message = start_error(unknown_origin, &[]).await;
    assert!(
        message.contains(
            "edgesim.toml: line 5, column 10: default_behavior.origin: unknown origin \"sight\""
        ),
        "{message}"
    );

    let unknown_kvs = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                       viewer_request = { code = \"f.js\", kvs = \"nope\" }\n";
    let message = start_error(
        unknown_kvs,
        &[("f.js", "function handler(e) { return e.request; }")],
    )
    .await;
    assert!(
        message.contains("line 6") && message.contains("unknown key_value_stores id \"nope\""),
        "{message}"
    );

    let bad_pattern = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                       [[behaviors]]\npath_pattern = \"/a b\"\norigin = \"o\"\n";
    let message = start_error(bad_pattern, &[]).await;
    assert!(
        message.contains("line 7") && message.contains("behaviors[0].path_pattern"),
        "{message}"
    );

    let typo =
        "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\ncahce = {}\n";
    let message = start_error(typo, &[]).await;
    assert!(
        message.contains("line 6") && message.contains("unknown field `cahce`"),
        "{message}"
    );
}

#[tokio::test]
async fn function_compile_errors_carry_cloudfronts_message_and_the_file() {
    let config = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                  viewer_request = { runtime = \"cloudfront-js-1.0\", code = \"v1.js\" }\n";
    let message = start_error(
        config,
        &[(
            "v1.js",
            "function handler(e) {\n  let x = 1;\n  return e.request;\n}",
        )],
    )
    .await;
    assert!(message.contains("v1.js: SyntaxError"), "{message}");
}
