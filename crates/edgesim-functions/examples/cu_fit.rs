//! The ComputeUtilization calibration: runs the cases of a calibration directory, prints the
//! table of docs/compute-utilization.md (AWS's figure, ours, this machine's CPU time), and with
//! `--fit` the least-squares coefficients for the model's base costs and per-instruction and
//! per-event-value costs (the native costs stay as they are in budget.rs).
//!
//! ```sh
//! cargo run --release -p edgesim-functions --example cu_fit -- [DIR] [--fit]
//! ```
//! DIR defaults to edge-samples/compute-utilization.

use std::path::PathBuf;

use edgesim_functions::budget::{Native, Work, FITTED};
use edgesim_functions::calibration::{errors, load_cases, run_cases};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fit = args.iter().any(|a| a == "--fit");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../edge-samples/compute-utilization")
        });
    let cases = load_cases(&dir).unwrap_or_else(|e| exit(&e));
    let rows = run_cases(&dir, &cases, 200).unwrap_or_else(|e| exit(&e));

    println!("| Example | Runtime | AWS | edgesim (predicted) | error | instructions | event values | natives | measured CPU here, cold / warm median (µs) |");
    println!("|---|---|---:|---:|---:|---:|---:|---|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:+} | {} | {} | {} | {:.0} / {:.0} |",
            r.case.name,
            &r.case.runtime[14..],
            r.case.aws,
            r.predicted,
            i16::from(r.predicted) - i16::from(r.case.aws),
            r.work.instructions,
            r.work.event_values,
            natives(&r.work),
            r.cold_cpu.as_secs_f64() * 1e6,
            r.warm_cpu.as_secs_f64() * 1e6,
        );
    }
    let (mean, max) = errors(&rows);
    println!(
        "\nmean absolute error {mean:.2}, max {max} ({} cases)",
        rows.len()
    );

    if fit {
        // Unknowns: base, per instruction, per event value. Target: AWS's figure in µs of a
        // 1 ms budget, less the natives' fixed share.
        let mut a = Vec::new();
        let mut y = Vec::new();
        for r in &rows {
            let natives = FITTED.micros(&r.work)
                - FITTED.micros(&Work {
                    instructions: r.work.instructions,
                    event_values: r.work.event_values,
                    ..Work::default()
                });
            a.push([1.0, r.work.instructions as f64, r.work.event_values as f64]);
            y.push(f64::from(r.case.aws) * 10.0 - natives);
        }
        let x = least_squares(&a, &y);
        println!(
            "\nfit: base_us {:.2}, per_instruction_us {:.5}, per_event_value_us {:.4}",
            x[0], x[1], x[2]
        );
    }
}

fn natives(work: &Work) -> String {
    let parts: Vec<String> = Native::ALL
        .iter()
        .filter(|&&n| work.native(n).calls > 0)
        .map(|&n| {
            let w = work.native(n);
            format!("{} {}×/{} B", n.name(), w.calls, w.bytes)
        })
        .collect();
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Solves the normal equations of `a·x ≈ y` by Gaussian elimination.
#[allow(clippy::needless_range_loop)] // index arithmetic reads clearer than iterator chains here
fn least_squares<const N: usize>(a: &[[f64; N]], y: &[f64]) -> [f64; N] {
    let mut m = vec![vec![0.0f64; N + 1]; N];
    for (row, &t) in a.iter().zip(y) {
        for i in 0..N {
            for j in 0..N {
                m[i][j] += row[i] * row[j];
            }
            m[i][N] += row[i] * t;
        }
    }
    for col in 0..N {
        let pivot = (col..N)
            .max_by(|&p, &q| m[p][col].abs().total_cmp(&m[q][col].abs()))
            .unwrap_or(col);
        m.swap(col, pivot);
        let d = m[col][col];
        if d.abs() < 1e-12 {
            continue;
        }
        for j in col..=N {
            m[col][j] /= d;
        }
        for i in 0..N {
            if i != col {
                let f = m[i][col];
                for j in col..=N {
                    m[i][j] -= f * m[col][j];
                }
            }
        }
    }
    std::array::from_fn(|i| m[i][N])
}

fn exit(message: &str) -> ! {
    eprintln!("cu_fit: {message}");
    std::process::exit(2)
}
