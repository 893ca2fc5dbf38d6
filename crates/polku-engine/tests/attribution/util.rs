//! Shared helpers: fixture paths, CSV goldens, a dense reference solver.

use std::collections::HashMap;
use std::path::PathBuf;

use polku_engine::attribution::{PathFileFormat, PathSet, read_path_file};

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The fixture path files' format (ChannelAttribution's example layout).
pub fn ca_format() -> PathFileFormat {
    PathFileFormat {
        delimiter: b';',
        separator: ">".into(),
        path_column: "path".into(),
        conversions_column: "total_conversions".into(),
        nulls_column: Some("total_null".into()),
        value_column: Some("total_conversion_value".into()),
    }
}

/// Reads a fixture path file.
pub fn fixture(name: &str) -> PathSet {
    read_path_file(&data(name), &ca_format()).expect("fixture reads")
}

/// A golden CSV as rows of column name -> text.
pub fn golden(name: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(data(name)).expect("golden file");
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// A float field.
pub fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    let text = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    if text.is_empty() {
        0.0
    } else {
        text.parse().unwrap_or_else(|_| panic!("{col}: {text}"))
    }
}

/// Asserts `|got - want| <= tol`, naming what is compared.
#[track_caller]
pub fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (tolerance {tol:e}, off by {:e})",
        (got - want).abs()
    );
}

/// Probability of conversion from the start of a chain given as a transition list, with the
/// states in `removed` sent to null, by plain dense Gaussian elimination over all states.
pub fn dense_conversion(
    transitions: &[(String, String, f64)],
    removed: &dyn Fn(&str) -> bool,
) -> f64 {
    let mut states: Vec<String> = vec!["(start)".into()];
    let id = |name: &str, states: &mut Vec<String>| -> usize {
        if let Some(i) = states.iter().position(|s| s == name) {
            i
        } else {
            states.push(name.to_owned());
            states.len() - 1
        }
    };
    let mut edges = Vec::new();
    let mut conv = HashMap::new();
    for (from, to, p) in transitions {
        let f = id(from, &mut states);
        match to.as_str() {
            "(conversion)" => *conv.entry(f).or_insert(0.0) += p,
            "(null)" => {}
            _ => {
                let t = id(to, &mut states);
                edges.push((f, t, *p));
            }
        }
    }
    let n = states.len();
    let mut a = vec![vec![0.0; n + 1]; n];
    for (i, row) in a.iter_mut().enumerate() {
        row[i] = 1.0;
        if i > 0 && removed(&states[i]) {
            continue;
        }
        row[n] = conv.get(&i).copied().unwrap_or(0.0);
    }
    for (f, t, p) in edges {
        if f > 0 && removed(&states[f]) {
            continue;
        }
        a[f][t] -= p;
    }
    for c in 0..n {
        let piv = (c..n)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap();
        a.swap(c, piv);
        let pivot = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c && row[c] != 0.0 {
                let f = row[c] / pivot[c];
                for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    a[0][n] / a[0][0]
}
