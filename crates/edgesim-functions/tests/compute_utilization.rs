//! The ComputeUtilization model against AWS's published `test-function` figures
//! (edge-samples/compute-utilization, docs/compute-utilization.md).

use std::path::PathBuf;

use edgesim_functions::calibration::{errors, load_cases, run_cases, Case};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../edge-samples/compute-utilization")
}

fn cases() -> Vec<Case> {
    load_cases(&dir()).expect("calibration manifest")
}

#[test]
fn the_prediction_is_within_three_points_on_average_and_six_at_most_of_awss_figures() {
    let rows = run_cases(&dir(), &cases(), 0).unwrap();
    assert!(
        rows.len() >= 12,
        "the calibration set shrank to {}",
        rows.len()
    );
    let (mean, max) = errors(&rows);
    let table: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: AWS {} ours {}", r.case.name, r.case.aws, r.predicted))
        .collect();
    assert!(
        mean <= 3.0,
        "mean absolute error {mean:.2}\n{}",
        table.join("\n")
    );
    assert!(max <= 6, "max error {max}\n{}", table.join("\n"));
    for r in &rows {
        assert!(r.ok, "{} failed", r.case.name);
    }
}

#[test]
fn the_same_function_and_event_give_the_same_figure_on_every_run_cold_or_warm() {
    let cases = cases();
    // Cold: each case on a fresh thread (new engine context), twice; warm: 20 runs in a row.
    let cold = |cases: Vec<Case>| {
        std::thread::spawn(move || run_cases(&dir(), &cases, 0).unwrap())
            .join()
            .unwrap()
    };
    let first = cold(cases.clone());
    let second = cold(cases.clone());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.work, b.work, "{}", a.case.name);
        assert_eq!(a.predicted, b.predicted, "{}", a.case.name);
    }
    let warm = run_cases(&dir(), &cases, 20).unwrap();
    for (row, cold) in warm.iter().zip(&first) {
        assert_eq!(row.predicted, cold.predicted, "{}", row.case.name);
        assert_eq!(row.warm_predicted.len(), 20);
        for figure in &row.warm_predicted {
            assert_eq!(
                *figure, row.predicted,
                "{}: {:?}",
                row.case.name, row.warm_predicted
            );
        }
    }
}
