//! Shared test fixtures: a workspace from a bundled template with one user per role.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use polku_model::Language;
use polku_model::templates::{TemplateKind, template_files};
use polku_server::{AppState, Role, ServerOptions};

/// The password of every test user.
pub const PASSWORD: &str = "correct horse battery";

/// A workspace in a temporary folder with users `viewer`, `editor` and `admin`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub state: AppState,
}

impl Fixture {
    pub fn new(lang: Language) -> Fixture {
        Fixture::with_options(lang, ServerOptions::default())
    }

    pub fn with_options(lang: Language, options: ServerOptions) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        polku_store::WorkspaceDir::create(
            dir.path(),
            &template_files(TemplateKind::B2b, lang),
            false,
        )
        .unwrap();
        for (name, role) in [
            ("viewer", Role::Viewer),
            ("editor", Role::Editor),
            ("admin", Role::Admin),
        ] {
            polku_server::users::add_user(dir.path(), name, role, PASSWORD).unwrap();
        }
        let state = AppState::open(dir.path(), options).unwrap();
        Fixture { dir, state }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The first current-state map's id and file.
    pub fn map(&self) -> (String, PathBuf) {
        let id = "hr-hanna-current".to_owned();
        let file = self.root().join("maps").join(format!("{id}.yaml"));
        assert!(file.is_file(), "the b2b template has {}", file.display());
        (id, file)
    }
}

/// Binds every touchpoint of `map_id` to events named by its id, makes the first touchpoint of
/// the third stage the conversion, and imports a deterministic set of journeys through it:
/// 600 customers over eight weeks, each stage losing some of them.
pub fn import_journeys(root: &Path, map_id: &str) {
    let file = root.join("maps").join(format!("{map_id}.yaml"));
    let mut doc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut stages: Vec<Vec<String>> = Vec::new();
    for stage in doc["stages"].as_sequence_mut().unwrap() {
        let mut ids = Vec::new();
        for tp in stage["touchpoints"].as_sequence_mut().unwrap() {
            let id = tp["id"].as_str().unwrap().to_owned();
            let rule: serde_norway::Value =
                serde_norway::from_str(&format!("{{event: {id}}}")).unwrap();
            tp.as_mapping_mut().unwrap().insert("match".into(), rule);
            ids.push(id);
        }
        stages.push(ids);
    }
    let conversion = stages[2][0].clone();
    doc.as_mapping_mut()
        .unwrap()
        .insert("conversion".into(), conversion.clone().into());
    std::fs::write(&file, serde_norway::to_string(&doc).unwrap()).unwrap();

    // A small linear congruential generator keeps the data the same on every run.
    let mut seed: u64 = 42;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut csv = String::from("timestamp,event_name,user_id,utm_source,utm_medium\n");
    let sources = [
        ("google", "cpc"),
        ("linkedin", "social"),
        ("newsletter", "email"),
        ("", ""),
    ];
    for c in 0..600u64 {
        let day = next(56);
        let mut minute = day * 24 * 60 + 8 * 60 + next(600);
        let (source, medium) = sources[usize::try_from(next(4)).unwrap()];
        for (s, ids) in stages.iter().enumerate() {
            if ids.is_empty() {
                continue;
            }
            let touches = 1 + next(2);
            for _ in 0..touches {
                let id = if s == 2 && ids.len() > 1 {
                    &ids[1 + usize::try_from(next(ids.len() as u64 - 1)).unwrap()]
                } else {
                    &ids[usize::try_from(next(ids.len() as u64)).unwrap()]
                };
                csv.push_str(&stamp(minute, id, c, source, medium));
                minute += 5 + next(3000);
            }
            if s == 2 {
                csv.push_str(&stamp(minute, &conversion, c, source, medium));
                minute += 60;
            }
            // Later weeks lose more customers in the second stage: a breakpoint to find.
            let leave = if s == 1 && day >= 28 { 55 } else { 25 };
            if next(100) < leave {
                break;
            }
        }
    }
    let csv_path = root.join("journeys.csv");
    std::fs::write(&csv_path, csv).unwrap();
    polku_ingest::import_events(
        root,
        &csv_path,
        &polku_ingest::ImportOptions::default(),
        &polku_ingest::NoProgress,
    )
    .unwrap();
}

fn stamp(minute: u64, event: &str, customer: u64, source: &str, medium: &str) -> String {
    // 2026-01-05T00:00:00Z plus `minute`.
    let base = 1_767_571_200u64;
    let t = base + minute * 60;
    let (days, secs) = (t / 86_400, t % 86_400);
    let (y, m, d) = civil(i64::try_from(days).unwrap());
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z,{event},c{customer},{source},{medium}\n",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap();
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap();
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
