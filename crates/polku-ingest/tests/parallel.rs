//! A large CSV is read in parallel chunks; the result must equal the one-worker import.

use std::fmt::Write as _;

use polku_ingest::{ImportOptions, Progress, import_events};

use crate::util::{Ws, opts};

/// About 9 MB of CSV with sessions, quoted fields with line breaks and commas, and repeated
/// rows far apart, so that chunk borders fall inside sessions and duplicates span chunks.
fn big_csv() -> String {
    let mut s =
        String::from("time,event,anonymous_id,user_id,utm_source,utm_medium,session,note\n");
    for i in 0..240_000u32 {
        let session = i / 7;
        let (src, med) = if i % 7 == 0 {
            (
                ["google", "newsletter", "facebook"][(session % 3) as usize],
                ["cpc", "email", "paid_social"][(session % 3) as usize],
            )
        } else {
            ("", "")
        };
        let user = if i % 7 == 6 {
            format!("u{}", session % 5000)
        } else {
            String::new()
        };
        let note = if i % 97 == 0 {
            format!("\"multi\nline, {i}\"")
        } else {
            format!("n{}", i % 13)
        };
        let _ = writeln!(
            s,
            "{},view,d{},{user},{src},{med},s{session},{note}",
            1_740_787_200 + i,
            session % 9000
        );
        if i % 5000 == 17 {
            // A repeat of an early row.
            let _ = writeln!(s, "2025-03-01T00:00:00Z,view,d0,,google,cpc,s0,n0");
        }
    }
    s
}

/// What an import of `text` into a fresh workspace added, what were duplicates, the new
/// identity links, and the stored events, sorted.
type Outcome = (
    u64,
    u64,
    u64,
    Vec<(String, Option<String>, String, Option<String>)>,
);

fn import_with(text: &str, options: impl FnOnce(&Ws) -> ImportOptions) -> Outcome {
    let ws = Ws::new();
    let path = ws.file("big.csv", text);
    let r = ws.import(&path, &options(&ws)).unwrap();
    let mut events: Vec<_> = ws
        .events()
        .into_iter()
        .map(|e| (e.event_id, e.customer, e.channel_group, e.properties))
        .collect();
    events.sort();
    (r.added, r.duplicates, r.new_links, events)
}

/// Imports `text`, with one worker when `sequential`.
fn import(text: &str, sequential: bool) -> Outcome {
    import_with(text, |ws| {
        let mut o = opts();
        if sequential {
            // A quarantine file makes the import read with one worker.
            o.quarantine = Some(ws.root().join("q.csv"));
        }
        o
    })
}

/// Imports `text` read in pieces of `range_bytes`.
fn import_in_ranges(text: &str, range_bytes: u64) -> Outcome {
    import_with(text, |_| ImportOptions {
        read_range_bytes: range_bytes,
        ..opts()
    })
}

#[test]
fn parallel_chunks_give_the_sequential_result() {
    let text = big_csv();
    assert!(text.len() > 8 << 20, "{}", text.len());
    let sequential = import(&text, true);
    for range_bytes in [ImportOptions::default().read_range_bytes, 1 << 20] {
        let parallel = import_in_ranges(&text, range_bytes);
        assert_eq!(parallel.0, sequential.0);
        assert_eq!(parallel.1, sequential.1);
        assert!(
            parallel.1 >= 20,
            "repeated rows are duplicates: {}",
            parallel.1
        );
        assert_eq!(parallel.2, sequential.2);
        assert!(parallel.3 == sequential.3, "the stored events differ");
    }
}

#[test]
fn more_threads_than_cores_give_the_sequential_result_and_stop_on_errors() {
    let text = big_csv();
    let sequential = import(&text, true);
    let threads = ImportOptions {
        read_range_bytes: 1 << 19,
        read_threads: Some(8),
        ..opts()
    };
    assert!(import_with(&text, |_| threads.clone()) == sequential);
    // Too many bad rows in the first range stop the threads, which must not wait for each
    // other.
    let bad: String = text
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| match line.split_once(',') {
            Some((_, rest)) if (1..=2000).contains(&i) => format!("yesterday,{rest}"),
            _ => line.to_owned(),
        })
        .collect();
    let ws = Ws::new();
    let err = ws
        .import(&ws.file("big.csv", &bad), &threads)
        .unwrap_err()
        .to_string();
    assert!(err.contains(":2:time: cannot read `yesterday`"), "{err}");
}

#[test]
fn parallel_errors_name_the_right_lines() {
    let mut text = big_csv();
    // A bad time on the last line, in the second chunk.
    text.push_str("yesterday,view,d1,,,,s1,x\n");
    let physical_lines = text.matches('\n').count() as u64;
    for range_bytes in [ImportOptions::default().read_range_bytes, 1 << 20] {
        let ws = Ws::new();
        let path = ws.file("big.csv", &text);
        let o = ImportOptions {
            read_range_bytes: range_bytes,
            ..opts()
        };
        let err = ws.import(&path, &o).unwrap_err().to_string();
        assert!(
            err.contains(&format!(":{physical_lines}:time: cannot read `yesterday`")),
            "{err}"
        );
    }
}

#[test]
fn rows_over_the_memory_budget_wait_on_disk_with_the_same_result() {
    let text = big_csv();
    let run = |budget: usize| {
        let ws = Ws::new();
        let path = ws.file("big.csv", &text);
        let o = ImportOptions {
            memory_budget: budget,
            ..opts()
        };
        let r = ws.import(&path, &o).unwrap();
        let events = ws
            .events()
            .into_iter()
            .map(|e| (e.event_id, e.customer, e.channel_group, e.properties))
            .collect::<Vec<_>>();
        (r.added, r.duplicates, r.new_links, events)
    };
    // All in memory; all on disk; the first batches in memory, the rest on disk.
    let memory = run(usize::MAX);
    assert!(memory.1 >= 20, "repeated rows are duplicates: {}", memory.1);
    for budget in [0, 6 << 20, 12 << 20] {
        let spilled = run(budget);
        assert_eq!(
            (spilled.0, spilled.1, spilled.2),
            (memory.0, memory.1, memory.2)
        );
        assert!(
            spilled.3 == memory.3,
            "budget {budget}: the stored events differ"
        );
    }
}

#[test]
fn a_cut_inside_a_quoted_field_reads_the_file_again() {
    // Rows of one length, each with a line break inside quotes: with an even number of rows,
    // the middle of the data is the start of a row, and the first line break after it is the
    // quoted one, so the second reader would start inside a field.
    let header = "time,event,anonymous_id,user_id,utm_source,utm_medium,session,note\n";
    let rows = 200_000u32;
    let mut text = String::from(header);
    for i in 0..rows {
        let _ = writeln!(
            text,
            "{},view,d{:06},,newsletter,email,s{:06},\"multi\nline {}\"",
            1_740_787_200 + i,
            i % 9000,
            i / 7,
            i % 10
        );
    }
    assert!(text.len() > 8 << 20, "{}", text.len());
    let middle = header.len() + (text.len() - header.len()) / 2;
    let first_break = middle + text[middle..].find('\n').unwrap();
    assert_eq!(
        text[..first_break].matches('"').count() % 2,
        1,
        "the first line break after the middle is inside quotes"
    );
    // One cut, at the middle: ranges as large as the file.
    let phases = Phases::default();
    let ws = Ws::new();
    let o = ImportOptions {
        read_range_bytes: 1 << 40,
        ..opts()
    };
    let r = import_events(ws.root(), &ws.file("big.csv", &text), &o, &phases).unwrap();
    assert_eq!(r.added, u64::from(rows));
    let importing = phases
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|p| *p == "importing")
        .count();
    assert_eq!(importing, 2, "the file was read again with one worker");
    // Ranges of the default size cut elsewhere; whichever cuts fall inside quotes, the stored
    // events are those of one worker.
    let parallel = import(&text, false);
    assert_eq!(parallel.0, u64::from(rows));
    assert!(parallel == import(&text, true), "the stored events differ");
}

/// Records the phases an import goes through.
#[derive(Default)]
struct Phases(std::sync::Mutex<Vec<String>>);

impl Progress for Phases {
    fn begin(&self, phase: &str, _total: Option<u64>) {
        self.0.lock().unwrap().push(phase.to_owned());
    }
    fn set(&self, _done: u64) {}
}
