//! The `polku` binary as a user runs it: workspaces from templates, validation messages,
//! listings, posters, diffs, Mermaid interop, the demo, and journey analytics over generated data.

mod common;

use std::path::{Path, PathBuf};

use polku_model::templates::{TemplateKind, fixture};
use polku_model::{Language, Workspace, WorkspaceFile};

use common::{Imported, Run, generated_workspace, new_workspace, ok, polku};

fn ls_json(ws: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(ws, &["ls", "--format", "json"]).stdout).unwrap()
}

fn first_map(ws: &Path, kind: &str) -> String {
    ls_json(ws)["maps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == kind)
        .unwrap_or_else(|| panic!("a {kind} map"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_template_in_every_language_makes_a_valid_workspace() {
    for template in ["b2b", "b2c"] {
        for lang in ["fi", "en"] {
            let (_tmp, ws) = new_workspace(template, lang);
            let run = ok(&ws, &["validate"]);
            assert!(
                run.stderr.starts_with("ok: "),
                "{template}/{lang}: {}",
                run.stderr
            );
            assert!(
                !run.stderr.contains("warning"),
                "{template}/{lang} has warnings: {}",
                run.stderr
            );
            let listing = ls_json(&ws);
            let personas = listing["personas"].as_array().unwrap();
            let maps = listing["maps"].as_array().unwrap();
            assert!(
                personas.len() >= 2,
                "{template}/{lang}: at least two personas"
            );
            for p in personas {
                let id = &p["id"];
                assert!(
                    maps.iter()
                        .any(|m| &m["persona"] == id && m["kind"] == "current"),
                    "{template}/{lang}: persona {id} has a current map"
                );
                assert_eq!(
                    p.as_object().unwrap().keys().collect::<Vec<_>>(),
                    ["id", "name"]
                );
            }
            for m in maps {
                assert_eq!(
                    m.as_object().unwrap().keys().collect::<Vec<_>>(),
                    ["id", "kind", "persona", "title"]
                );
            }
            assert!(
                maps.iter().any(|m| m["kind"] == "future"),
                "{template}/{lang}: a future map"
            );
        }
    }
}

#[test]
fn init_moves_the_template_onto_another_stage_variant() {
    let catalogue = polku_model::catalogue::Catalogue::builtin();
    for variant in &catalogue.stage_variants {
        let tmp = tempfile::tempdir().unwrap();
        ok(
            tmp.path(),
            &[
                "init",
                "ws",
                "--template",
                "b2b",
                "--lang",
                "fi",
                "--stages",
                &variant.id,
            ],
        );
        let ws = tmp.path().join("ws");
        ok(&ws, &["validate"]);
        let config = std::fs::read_to_string(ws.join("polku.yaml")).unwrap();
        for stage in &variant.stages {
            assert!(
                config.contains(&format!("id: {}", stage.id)),
                "{}: {config}",
                variant.id
            );
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let run = polku(tmp.path(), &["init", "ws", "--stages", "clasic"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("did you mean `classic`"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_does_not_overwrite_a_workspace() {
    let (tmp, _ws) = new_workspace("b2b", "en");
    let run = polku(tmp.path(), &["init", "ws"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("already has a polku.yaml"),
        "{}",
        run.stderr
    );
    ok(tmp.path(), &["init", "ws", "--force"]);
}

#[test]
fn validate_prints_file_line_column_and_exits_1() {
    let (_tmp, ws) = new_workspace("b2b", "en");
    let map_id = first_map(&ws, "current");
    let file = ws.join("maps").join(format!("{map_id}.yaml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let (line_index, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("emotion:"))
        .unwrap();
    let column = line.find("emotion:").unwrap() + "emotion: ".len() + 1;
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == line_index {
                l.replacen(l.trim_start(), "emotion: 7", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&file, broken.join("\n") + "\n").unwrap();
    let run = polku(&ws, &["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = format!(
        "maps/{map_id}.yaml:{}:{column}: emotion 7 is outside the scale -3..3",
        line_index + 1
    );
    assert!(
        run.stderr.contains(&expected),
        "expected `{expected}` in:\n{}",
        run.stderr
    );

    // Run from outside the workspace, the path is as the user would type it.
    let run = polku(ws.parent().unwrap(), &["-w", "ws", "validate"]);
    assert!(
        run.stderr.contains(&format!("ws/{expected}")),
        "{}",
        run.stderr
    );

    // Rendering the broken map is refused with the same message.
    let run = polku(&ws, &["render", &map_id, "--out", "x.svg"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}

#[test]
fn a_typo_in_a_field_name_is_named_with_a_suggestion() {
    let (_tmp, ws) = new_workspace("b2c", "fi");
    let map_id = first_map(&ws, "current");
    let file = ws.join("maps").join(format!("{map_id}.yaml"));
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("pain_points:", "pain_point:", 1);
    std::fs::write(&file, text).unwrap();
    let run = polku(&ws, &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("unknown field `pain_point` (did you mean `pain_points`?)"),
        "{}",
        run.stderr
    );
}

#[test]
fn outside_a_workspace_commands_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let run = polku(tmp.path(), &["ls"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a polku workspace"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("polku init"), "{}", run.stderr);
}

#[test]
fn ls_table_lists_personas_and_maps() {
    let (_tmp, ws) = new_workspace("b2b", "fi");
    let run = ok(&ws, &["ls"]);
    assert!(run.stdout.starts_with("PERSONA"), "{}", run.stdout);
    assert!(run.stdout.contains("hr-hanna"), "{}", run.stdout);
    assert!(run.stdout.contains("MAP"), "{}", run.stdout);
}

#[test]
fn unknown_map_ids_list_the_maps_there_are() {
    let (_tmp, ws) = new_workspace("b2b", "en");
    let run = polku(&ws, &["render", "hr-hanna-curent", "--out", "x.pdf"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("did you mean `hr-hanna-current`"),
        "{}",
        run.stderr
    );
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

fn pdf_media_box(bytes: &[u8]) -> (f64, f64) {
    assert!(bytes.starts_with(b"%PDF-"), "a PDF header");
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("/MediaBox").expect("a MediaBox") + "/MediaBox".len();
    let inner = &text[start..];
    let inner = &inner[inner.find('[').unwrap() + 1..inner.find(']').unwrap()];
    let n: Vec<f64> = inner
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (n[2] - n[0], n[3] - n[1])
}

#[test]
fn render_writes_svg_png_and_pdf_posters() {
    let (_tmp, ws) = new_workspace("b2b", "fi");
    let map_id = first_map(&ws, "current");

    ok(
        &ws,
        &["render", &map_id, "--format", "svg", "--out", "poster.svg"],
    );
    let svg = std::fs::read_to_string(ws.join("poster.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("420mm"), "an A3 SVG");

    ok(&ws, &["render", &map_id, "--out", "poster.png"]);
    let (w, h) = png_size(&std::fs::read(ws.join("poster.png")).unwrap());
    assert!(w >= 1600, "PNG width {w}");
    assert!(
        (f64::from(w) / f64::from(h) - 420.0 / 297.0).abs() < 0.01,
        "A3 landscape aspect: {w}×{h}"
    );

    ok(&ws, &["render", &map_id, "--out", "poster.pdf"]);
    let (w, h) = pdf_media_box(&std::fs::read(ws.join("poster.pdf")).unwrap());
    assert!(
        (w - 1190.55).abs() < 1.0 && (h - 841.89).abs() < 1.0,
        "A3 landscape: {w}×{h} pt"
    );

    ok(
        &ws,
        &["render", &map_id, "--paper", "a2", "--out", "poster-a2.pdf"],
    );
    let (w, h) = pdf_media_box(&std::fs::read(ws.join("poster-a2.pdf")).unwrap());
    assert!(
        (w - 1683.78).abs() < 1.0 && (h - 1190.55).abs() < 1.0,
        "A2 landscape: {w}×{h} pt"
    );

    let run = polku(&ws, &["render", &map_id, "--out", "poster.gif"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("--format svg|png|pdf"),
        "{}",
        run.stderr
    );
}

#[test]
fn diff_draws_current_against_future_and_summarises() {
    let (_tmp, ws) = new_workspace("b2b", "en");
    let listing = ls_json(&ws);
    let future = listing["maps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "future")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let improves = std::fs::read_to_string(ws.join("maps").join(format!("{future}.yaml")))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("improves: ").map(str::to_owned))
        .expect("the future map names the map it improves");
    let run = ok(&ws, &["diff", &improves, &future, "--out", "diff.pdf"]);
    assert!(!run.stdout.trim().is_empty(), "a text summary on stdout");
    let (w, _) = pdf_media_box(&std::fs::read(ws.join("diff.pdf")).unwrap());
    assert!((w - 1190.55).abs() < 1.0);
    ok(&ws, &["diff", &improves, &future, "--out", "diff.png"]);
    assert!(png_size(&std::fs::read(ws.join("diff.png")).unwrap()).0 >= 1600);
}

/// The diagram inside Mermaid's documented "My working day" example.
fn my_working_day() -> String {
    let text = fixture("my-working-day.mmd").expect("the Mermaid example is bundled");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
        + "\n"
}

#[test]
fn mermaids_own_example_imports_and_exports_unchanged() {
    let (tmp, ws) = new_workspace("b2b", "en");
    let file = tmp.path().join("day.mmd");
    std::fs::write(&file, my_working_day()).unwrap();
    let run = ok(
        &ws,
        &[
            "mermaid",
            "import",
            file.to_str().unwrap(),
            "--id",
            "working-day",
            "--kind",
            "day-in-the-life",
        ],
    );
    assert!(
        run.stderr
            .contains("imported `working-day`: 2 stages, 5 steps"),
        "{}",
        run.stderr
    );
    ok(&ws, &["validate"]);
    let exported = ok(&ws, &["mermaid", "export", "working-day"]).stdout;
    assert_eq!(exported, my_working_day());

    let run = polku(
        &ws,
        &[
            "mermaid",
            "import",
            file.to_str().unwrap(),
            "--id",
            "working-day",
        ],
    );
    assert_eq!(
        run.code, 1,
        "an existing map is not replaced without --force"
    );
}

#[test]
fn mermaid_export_of_an_import_is_stable_for_every_template_map() {
    for template in ["b2b", "b2c"] {
        for lang in ["fi", "en"] {
            let (tmp, ws) = new_workspace(template, lang);
            for map in ls_json(&ws)["maps"].as_array().unwrap() {
                let id = map["id"].as_str().unwrap();
                let first = ok(&ws, &["mermaid", "export", id]).stdout;
                let file = tmp.path().join(format!("{id}.mmd"));
                std::fs::write(&file, &first).unwrap();
                let copy = format!("{id}-copy");
                ok(
                    &ws,
                    &["mermaid", "import", file.to_str().unwrap(), "--id", &copy],
                );
                let second = ok(&ws, &["mermaid", "export", &copy]).stdout;
                assert_eq!(first, second, "{template}/{lang}/{id}");
            }
        }
    }
}

#[test]
fn mermaid_errors_point_at_the_line() {
    let (tmp, ws) = new_workspace("b2b", "en");
    let file = tmp.path().join("bad.mmd");
    std::fs::write(
        &file,
        "journey\n  title T\n  section A\n    Task: ten: Me\n",
    )
    .unwrap();
    let run = polku(&ws, &["mermaid", "import", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("bad.mmd:4:11: the score of task `Task` is `ten`"),
        "{}",
        run.stderr
    );
}

#[test]
fn catalogue_lists_variants_and_touchpoints_per_phase() {
    let tmp = tempfile::tempdir().unwrap();
    let run = ok(
        tmp.path(),
        &["catalogue", "--lang", "en", "--phase", "loyalty"],
    );
    assert!(run.stdout.contains("classic"), "{}", run.stdout);
    assert!(
        run.stdout.contains("physical") || run.stdout.contains("analog"),
        "{}",
        run.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(tmp.path(), &["catalogue", "--format", "json"]).stdout).unwrap();
    assert!(json["touchpoints"].as_array().unwrap().len() >= 20);
    let run = polku(tmp.path(), &["catalogue", "--phase", "loyality"]);
    assert!(
        run.stderr.contains("did you mean `loyalty`"),
        "{}",
        run.stderr
    );
}

#[test]
fn demo_writes_a_report_and_a_poster_per_map() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["demo", "--out", "out", "--customers", "1500"]);
    let out = tmp.path().join("out");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("<html") && report.contains("HR-Hanna"),
        "the report shows the personas"
    );
    for attr in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "src='http",
        "href='http",
    ] {
        assert!(
            !report.contains(attr),
            "the report works offline: found {attr}"
        );
    }
    let mut maps = 0;
    for kind in TemplateKind::ALL {
        let files: Vec<WorkspaceFile> = polku_model::templates::template_files(kind, Language::En)
            .into_iter()
            .map(|(path, text)| WorkspaceFile {
                path: path.to_owned(),
                text: text.to_owned(),
            })
            .collect();
        let ws = Workspace::parse(&files).unwrap();
        for map in &ws.maps {
            maps += 1;
            let poster = out
                .join("posters")
                .join(format!("{}-{}.pdf", kind.as_str(), map.doc.id));
            let (w, _) = pdf_media_box(
                &std::fs::read(&poster).unwrap_or_else(|_| panic!("{}", poster.display())),
            );
            assert!((w - 1190.55).abs() < 1.0);
            let title = map
                .doc
                .title
                .replace('&', "&amp;")
                .replace('\'', "&#39;")
                .replace('<', "&lt;");
            assert!(
                report.contains(&title),
                "the report shows map {}",
                map.doc.id
            );
        }
        ok(&out.join("workspaces").join(kind.as_str()), &["validate"]);
    }
    assert!(maps >= 4);
    assert!(
        report.contains("9 interviews") || report.contains("10 interviews"),
        "the demo's interviews back the emotion lane"
    );

    // The report is a living map: each example workspace has data, and its measured map has
    // stage and touchpoint tables and charts.
    assert_eq!(report.matches("<h3>Living map</h3>").count(), 2);
    assert_eq!(report.matches("<section class=\"living\">").count(), 2);
    for chart in [
        "Funnel",
        "Paths",
        "Breakpoints: what to fix first",
        "Emotion curve from interviews",
        "Retention by cohort",
        "Time and touchpoints to conversion",
    ] {
        assert!(
            report.contains(&format!(">{chart}</text>")),
            "no {chart} chart"
        );
    }
    assert!(report.contains("Period: <strong>2025-03-01 – 2025-04-30</strong>"));
    for (kind, map) in [
        ("b2b", "hr-hanna-current"),
        ("b2c", "kaupunki-kaisa-current"),
    ] {
        let ws = out.join("workspaces").join(kind);
        let stages: serde_json::Value = serde_json::from_str(
            &ok(
                &ws,
                &[
                    "stages",
                    map,
                    "--format",
                    "json",
                    "--from",
                    "2025-03-01",
                    "--to",
                    "2025-04-30",
                ],
            )
            .stdout,
        )
        .unwrap();
        // Most generated events match a touchpoint, and every stage is reached.
        let events = stages["coverage"]["events"].as_f64().unwrap();
        let unmatched = stages["coverage"]["unmatched"].as_f64().unwrap();
        assert!(
            events > 1000.0 && unmatched / events < 0.2,
            "{kind}: {unmatched} of {events} unmatched"
        );
        // Every stage has customers within the demo's period, loyalty (renewals) too.
        for stage in stages["stages"].as_array().unwrap() {
            assert!(
                stage["reached"].as_u64().unwrap() > 0,
                "{kind}: nobody reached {} in the demo period",
                stage["stage"]
            );
        }
        for stage in stages["stages"].as_array().unwrap() {
            let reached = stage["reached"].as_u64().unwrap();
            if reached == 0 {
                continue;
            }
            // The report's stage table shows the same number.
            assert!(
                report.contains(&format!("<td class=\"n\">{}</td>", thousands(reached))),
                "{kind}: {} reached {reached} is not in the report",
                stage["stage"]
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&ok(&ws, &["stats", "--format", "json"]).stdout).unwrap();
        assert!(json["events"].as_u64().unwrap() > 1000);
    }
}

/// A count as the English report writes it: `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A B2B workspace in English with a small generated data set imported.
fn workspace_with_data() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = generated_workspace(tmp.path(), "b2b", "en", 600, 11, Imported::Events);
    (tmp, ws)
}

#[test]
fn report_shows_the_measured_map_next_to_the_stages_numbers() {
    let (tmp, ws) = workspace_with_data();
    let out = tmp.path().join("r");
    ok(
        &ws,
        &[
            "report",
            "--out",
            out.to_str().unwrap(),
            "--from",
            "2025-02-01",
            "--to",
            "2025-05-31",
        ],
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("Period: <strong>2025-02-01 – 2025-05-31</strong>"));
    let stages: serde_json::Value = serde_json::from_str(
        &ok(
            &ws,
            &[
                "stages",
                "hr-hanna-current",
                "--format",
                "json",
                "--from",
                "2025-02-01",
                "--to",
                "2025-05-31",
            ],
        )
        .stdout,
    )
    .unwrap();
    let mut seen = 0;
    for stage in stages["stages"].as_array().unwrap() {
        let reached = stage["reached"].as_u64().unwrap();
        if reached > 0 {
            seen += 1;
            assert!(
                html.contains(&format!("<td class=\"n\">{}</td>", thousands(reached))),
                "{stage}"
            );
        }
    }
    assert!(seen >= 4, "{stages}");
    // The touchpoint table lists every touchpoint; unbound ones are marked.
    assert!(html.contains("<td>Search ad: recruitment ads</td><td>Awareness</td><td class=\"n\">"));
    assert!(html.contains("<tr class=\"unbound\"><td>Stand at an HR fair</td>"));
    // The bound map's charts and the workspace's retention heatmap; the other current map
    // says it is not measured.
    for chart in [
        ">Funnel</text>",
        ">Paths</text>",
        ">Retention by cohort</text>",
        ">Breakpoints: what to fix first</text>",
    ] {
        assert!(html.contains(chart), "{chart}");
    }
    assert!(html.contains("No touchpoint of this map has `match` rules"));
    // Without data the report still writes, and says how to get numbers.
    let (tmp2, empty) = new_workspace("b2c", "fi");
    ok(
        &empty,
        &["report", "--out", tmp2.path().join("r").to_str().unwrap()],
    );
    let html = std::fs::read_to_string(tmp2.path().join("r/report.html")).unwrap();
    assert!(
        html.contains("Tapahtumia ei ole vielä tuotu"),
        "says how to get numbers"
    );
    assert!(!html.contains("<section class=\"living\">"));
}

#[test]
fn render_with_data_draws_the_numbers_on_the_poster() {
    let (tmp, ws) = workspace_with_data();
    let svg_path = tmp.path().join("p.svg");
    ok(
        &ws,
        &[
            "render",
            "hr-hanna-current",
            "--with-data",
            "--out",
            svg_path.to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains(">Measured</text>"));
    let stages: serde_json::Value =
        serde_json::from_str(&ok(&ws, &["stages", "hr-hanna-current", "--format", "json"]).stdout)
            .unwrap();
    let first = stages["stages"][0]["reached"].as_u64().unwrap();
    assert!(
        svg.contains(&format!(">{} customers</text>", thousands(first))),
        "{first}"
    );
    assert!(
        svg.contains("data rows</text>"),
        "the touchpoint lane's evidence"
    );
    // One persona's customers: the stage counts of `stages --persona`.
    let hanna_svg = tmp.path().join("hanna.svg");
    ok(
        &ws,
        &[
            "render",
            "hr-hanna-current",
            "--with-data",
            "--persona",
            "hr-hanna",
            "--out",
            hanna_svg.to_str().unwrap(),
        ],
    );
    let hanna: serde_json::Value = serde_json::from_str(
        &ok(
            &ws,
            &[
                "stages",
                "hr-hanna-current",
                "--persona",
                "hr-hanna",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    let hanna_first = hanna["stages"][0]["reached"].as_u64().unwrap();
    assert!(
        hanna_first > 0 && hanna_first < first,
        "{hanna_first} of {first}"
    );
    let hanna_poster = std::fs::read_to_string(&hanna_svg).unwrap();
    assert!(
        hanna_poster.contains(&format!(">{} customers</text>", thousands(hanna_first))),
        "{hanna_first}"
    );
    assert!(!hanna_poster.contains(&format!(">{} customers</text>", thousands(first))));
    // --persona needs --with-data, and a persona that exists.
    for args in [
        &[
            "render",
            "hr-hanna-current",
            "--persona",
            "hr-hanna",
            "--out",
            "x.svg",
        ][..],
        &[
            "render",
            "hr-hanna-current",
            "--with-data",
            "--persona",
            "hr-hana",
            "--out",
            "x.svg",
        ],
    ] {
        assert_ne!(polku(&ws, args).code, 0, "{args:?}");
    }
    // Without --with-data: no numbers, but the evidence of each lane.
    ok(
        &ws,
        &[
            "render",
            "hr-hanna-current",
            "--out",
            svg_path.to_str().unwrap(),
        ],
    );
    let plain = std::fs::read_to_string(&svg_path).unwrap();
    assert!(!plain.contains(">Measured</text>"));
    assert!(plain.contains("sources</text>"));
    // --from needs --with-data.
    assert_ne!(
        polku(
            &ws,
            &[
                "render",
                "hr-hanna-current",
                "--from",
                "2025-01-01",
                "--out",
                "x.svg"
            ]
        )
        .code,
        0
    );
}

/// A B2B workspace with generated events, survey answers and ad costs imported, and a map of HR-Hanna's
/// bound to the data.
fn workspace_with_bound_data() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = generated_workspace(tmp.path(), "b2b", "en", 600, 3, Imported::EventsCostsSurvey);
    // The template's own map of Hanna is bound to the data too; this one stands alone so the
    // numbers below are about its rules only.
    for own in ["maps/hr-hanna-current.yaml", "maps/hr-hanna-future.yaml"] {
        std::fs::remove_file(ws.join(own)).unwrap();
    }
    std::fs::write(
        ws.join("maps/hanna-data.yaml"),
        "\
title: HR-Hanna in the data
persona: hr-hanna
kind: current
stages:
  - stage: awareness
    touchpoints:
      - {id: ads, name: Ads, match: {channel: 'Paid*'}}
      - {id: landing, name: Landing page, match: {event: page_view}}
  - stage: consideration
    touchpoints:
      - {id: whitepaper, name: Whitepaper, match: {event: whitepaper_download}}
      - {id: lead, name: Lead form, match: {event: lead_created}}
  - stage: purchase
    touchpoints:
      - {id: demo, name: Demo, match: {event: demo_booked}}
      - {id: deal, name: Deal, match: {event: deal_won}}
",
    )
    .unwrap();
    (tmp, ws)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn template_personas_take_the_generated_customers() {
    let (_tmp, ws) = workspace_with_bound_data();
    let sizes = json(&ok(&ws, &["personas", "sizes", "--format", "json"]));
    let sizes = sizes.as_array().unwrap();
    let count = |p: Option<&str>| {
        sizes.iter().find(|s| s["persona"].as_str() == p).unwrap()["customers"]
            .as_u64()
            .unwrap()
    };
    let (hanna, marja, none) = (
        count(Some("hr-hanna")),
        count(Some("marja-markkinoija")),
        count(None),
    );
    // The generator makes about 35 % B2B customers; those who came first from LinkedIn are
    // HR-Hanna's, the other B2B customers Marja's, B2C customers nobody's in this template.
    assert!(hanna > 10 && marja > hanna, "{sizes:?}");
    assert!(none > hanna + marja, "{sizes:?}");
    let stats = json(&ok(&ws, &["stats", "--format", "json"]));
    assert_eq!(hanna + marja + none, stats["customers"].as_u64().unwrap());

    // --persona restricts the analyses to the persona's customers.
    let all = json(&ok(
        &ws,
        &[
            "funnel",
            "--steps",
            "page_view,lead_created",
            "--format",
            "json",
        ],
    ));
    let marja_funnel = json(&ok(
        &ws,
        &[
            "funnel",
            "--steps",
            "page_view,lead_created",
            "--persona",
            "marja-markkinoija",
            "--format",
            "json",
        ],
    ));
    assert_eq!(marja_funnel["steps"][0]["count"].as_u64(), Some(marja));
    assert!(all["steps"][0]["count"].as_u64().unwrap() > marja);
    for cmd in [
        &["paths", "--start", "page_view"][..],
        &["retention"],
        &["repeat"],
        &["distributions", "--conversion", "deal_won"],
        &["kpis"],
        &["breakpoints"],
        &[
            "abtest",
            "--variant-prop",
            "customer_type",
            "--metric",
            "deal_won",
        ],
        &["stages", "hanna-data"],
    ] {
        let mut args = cmd.to_vec();
        args.extend(["--persona", "hr-hanna"]);
        ok(&ws, &args);
    }
    let bad = polku(&ws, &["repeat", "--persona", "hr-hana"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("no persona `hr-hana`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn breakpoints_compare_personas_and_say_the_currency() {
    let (_tmp, ws) = workspace_with_bound_data();
    // The generated journeys start in the first half of 2025.
    let period = ["--from", "2025-03-01", "--to", "2025-04-30"];
    let run = |extra: &[&str]| {
        let mut args = vec!["breakpoints"];
        args.extend(period);
        args.extend(extra);
        ok(&ws, &args)
    };
    let r = json(&run(&["hanna-data", "--format", "json"]));
    // The template's personas have rules: every persona gets its own rows, each against its
    // previous period and against the other personas.
    assert_eq!(r["by_persona"], true);
    assert_eq!(r["currency"], "EUR");
    assert_eq!(r["currencies"], serde_json::json!(["EUR"]));
    let rows = r["breakpoints"].as_array().unwrap();
    let personas: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|b| b["persona"].as_str()).collect();
    assert!(personas.len() >= 2, "{personas:?}");
    assert!(rows.iter().any(|b| b["expected_others"].is_number()));
    for b in rows {
        let flag = &b["flagged_by"];
        assert!(
            flag.is_null()
                || ["previous_period", "other_personas", "both"].contains(&flag.as_str().unwrap()),
            "{b}"
        );
    }
    let values: Vec<f64> = rows
        .iter()
        .map(|b| b["value_lost"].as_f64().unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");

    // One persona: only its rows.
    let one = json(&run(&["--persona", "hr-hanna", "--format", "json"]));
    let rows = one["breakpoints"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|b| b["persona"] == "hr-hanna"));

    let csv = run(&["--format", "csv"]).stdout;
    let header = csv.lines().next().unwrap();
    for column in [
        "persona",
        "expected_previous",
        "expected_others",
        "flagged_by",
        "currency",
        "median_time_in_stage_s",
        "expected_time_in_stage_s",
        "stalled_by",
    ] {
        assert!(header.split(',').any(|c| c == column), "{header}");
    }
    // Every row has every column; stages carry their median time in stage.
    let width = header.split(',').count();
    assert!(csv.lines().all(|l| l.split(',').count() == width), "{csv}");
    assert!(
        rows.iter()
            .any(|b| b["kind"] == "stage" && b["median_time_in_stage_s"].is_number())
    );
    let table = run(&[]).stdout;
    assert!(table.contains("against the other personas"), "{table}");
    for column in [
        "persona",
        "before",
        "others",
        "baseline",
        "time in stage",
        "value lost (EUR)",
    ] {
        assert!(table.contains(column), "{column}: {table}");
    }
}

#[test]
fn a_persona_report_counts_only_its_customers() {
    let (tmp, ws) = workspace_with_bound_data();
    let customers = |persona: Option<&str>| {
        let out = tmp.path().join(persona.unwrap_or("all"));
        let mut args = vec![
            "report",
            "--out",
            out.to_str().unwrap(),
            "--from",
            "2025-03-01",
            "--to",
            "2025-04-30",
        ];
        if let Some(p) = persona {
            args.extend(["--persona", p]);
        }
        ok(&ws, &args);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let at = html.find("Customers: <strong>").unwrap() + "Customers: <strong>".len();
        let n: String = html[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(char::is_ascii_digit)
            .collect();
        (n.parse::<u64>().unwrap(), html)
    };
    let (all, _) = customers(None);
    let (hanna, html) = customers(Some("hr-hanna"));
    assert!(hanna > 0 && hanna < all, "all {all}, hr-hanna {hanna}");
    assert!(html.contains("Persona: <strong>HR-Hanna</strong>"));
}

#[test]
fn segments_list_each_personas_customers_by_stage() {
    let (_tmp, ws) = workspace_with_bound_data();
    let rows = json(&ok(
        &ws,
        &["segments", "--persona", "hr-hanna", "--format", "json"],
    ));
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    let stages = ["awareness", "consideration", "purchase"];
    let mut last_stage = 0;
    for r in rows {
        assert_eq!(r["persona"], "hr-hanna");
        let s = stages
            .iter()
            .position(|s| r["stage"] == *s)
            .unwrap_or_else(|| panic!("{r}"));
        assert!(s >= last_stage, "sorted by stage");
        last_stage = s;
        assert!(r["last_time_us"].as_i64().unwrap() > 0);
    }
    let sizes = json(&ok(&ws, &["personas", "sizes", "--format", "json"]));
    let hanna = sizes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["persona"] == "hr-hanna")
        .unwrap()["customers"]
        .as_u64()
        .unwrap();
    // Every customer has page views, so every one of Hanna's customers has a stage.
    assert_eq!(rows.len() as u64, hanna);

    let csv = ok(
        &ws,
        &[
            "segments",
            "--persona",
            "hr-hanna",
            "--stage",
            "purchase",
            "--format",
            "csv",
        ],
    )
    .stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("customer,persona,stage,last_touchpoint,last_time")
    );
    let body: Vec<&str> = lines.collect();
    assert_eq!(
        body.len(),
        rows.iter().filter(|r| r["stage"] == "purchase").count()
    );
    assert!(
        body.iter().all(|l| l.contains(",hr-hanna,purchase,")),
        "{csv}"
    );
    // Without options: every persona with rules and a bound map; only Hanna has one here.
    let every = json(&ok(&ws, &["segments", "--format", "json"]));
    assert_eq!(every.as_array().unwrap().len(), rows.len());

    let bad = polku(
        &ws,
        &["segments", "--persona", "hr-hanna", "--stage", "purchse"],
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("no stage `purchse`"), "{}", bad.stderr);
}

#[test]
fn interviews_aggregate_per_stage_of_the_map() {
    let (tmp, ws) = new_workspace("b2b", "en");
    let file = tmp.path().join("interviews.yaml");
    std::fs::write(
        &file,
        "\
id: int-01
interviewee: A
persona: hr-hanna
steps:
  - {touchpoint: search-ad, stage: awareness, emotion: 1, success: Found it fast}
  - {touchpoint: webinar, stage: consideration, emotion: -2, failure: Too long}
---
id: int-02
interviewee: B
persona: hr-hanna
steps:
  - {touchpoint: search-ad, stage: awareness, emotion: 3, joy: Friendly tone}
---
id: int-03
interviewee: C
persona: marja-markkinoija
steps:
  - {touchpoint: blog, stage: awareness, emotion: -3}
",
    )
    .unwrap();
    ok(&ws, &["import", "interviews", file.to_str().unwrap()]);
    let report = json(&ok(
        &ws,
        &["interviews", "hr-hanna-current", "--format", "json"],
    ));
    assert_eq!(report["interviews"], 2, "{report}");
    let stage = |id: &str| {
        report["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == id)
            .unwrap()
            .clone()
    };
    let aw = stage("awareness");
    assert_eq!(
        (aw["interviews"].as_u64(), aw["steps"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(aw["emotion_mean"].as_f64(), Some(2.0));
    assert_eq!(aw["touchpoints"][0]["touchpoint"], "search-ad");
    assert_eq!(aw["joys"][0], "Friendly tone");
    assert_eq!(stage("consideration")["failures"][0], "Too long");
    let table = ok(&ws, &["interviews", "hr-hanna-current"]).stdout;
    assert!(table.contains("awareness"), "{table}");
    // Another persona's interviews on the same map.
    let marja = json(&ok(
        &ws,
        &[
            "interviews",
            "hr-hanna-current",
            "--persona",
            "marja-markkinoija",
            "--format",
            "json",
        ],
    ));
    assert_eq!(marja["persona"], "marja-markkinoija", "{marja}");
    assert_eq!(marja["interviews"], 1, "{marja}");
    let aw = &marja["stages"][0];
    assert_eq!(aw["stage"], "awareness");
    assert_eq!(aw["emotion_mean"].as_f64(), Some(-3.0), "{marja}");
    assert_eq!(aw["touchpoints"][0]["touchpoint"], "blog");
    let bad = polku(
        &ws,
        &["interviews", "hr-hanna-current", "--persona", "hr-hana"],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("no persona `hr-hana`"),
        "{}",
        bad.stderr
    );
    let bad = polku(&ws, &["interviews", "no-such-map"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("no map `no-such-map`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn kpis_per_stage_and_touchpoint_of_a_map() {
    let (_tmp, ws) = workspace_with_bound_data();
    let csv = ok(
        &ws,
        &[
            "kpis",
            "--by",
            "stage",
            "--map",
            "hanna-data",
            "--format",
            "csv",
        ],
    )
    .stdout;
    let names: Vec<&str> = csv.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "stage",
            "awareness",
            "consideration",
            "purchase",
            "(no touchpoint)"
        ]
    );
    let rows = json(&ok(
        &ws,
        &[
            "kpis",
            "--by",
            "touchpoint",
            "--map",
            "hanna-data",
            "--format",
            "json",
        ],
    ));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0]["touchpoint"], "ads");
    assert!(
        rows[0]["spend"].as_f64().unwrap() > 0.0,
        "paid ads carry spend"
    );
    assert!(rows[1]["spend"].is_null(), "page views have no cost");
    let channels = json(&ok(&ws, &["kpis", "--format", "json"]));
    let visits = |rows: &[serde_json::Value]| -> u64 {
        rows.iter().map(|r| r["visits"].as_u64().unwrap()).sum()
    };
    assert_eq!(visits(rows), visits(channels.as_array().unwrap()));
    let bad = polku(&ws, &["kpis", "--map", "hanna-data"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("--by stage"), "{}", bad.stderr);
}

#[test]
fn personas_suggest_proposes_segments_and_writes_drafts() {
    let (_tmp, ws) = workspace_with_bound_data();
    let report = json(&ok(
        &ws,
        &[
            "personas", "suggest", "--k", "3", "--seed", "7", "--format", "json",
        ],
    ));
    let segments = report["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 3);
    let total: u64 = segments
        .iter()
        .map(|s| s["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(total, report["customers"].as_u64().unwrap());
    let again = ok(
        &ws,
        &[
            "personas", "suggest", "--k", "3", "--seed", "7", "--format", "json",
        ],
    );
    assert_eq!(
        json(&again),
        report,
        "the same seed gives the same segments"
    );
    let table = ok(&ws, &["personas", "suggest", "--k", "2", "--write"]).stdout;
    assert!(table.contains("segment 1"), "{table}");
    assert!(ws.join("personas/segment-1.yaml").exists(), "{table}");
    let validate = polku(&ws, &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    let again = polku(&ws, &["personas", "suggest", "--k", "2", "--write"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let bad = polku(&ws, &["personas", "suggest", "--k", "zero"]);
    assert_eq!(bad.code, 2, "a usage error");
}

/// A map whose touchpoints carry no `match` rules binds no event: funnel and paths still run
/// on event names and say why the map adds nothing.
#[test]
fn a_map_without_match_rules_gets_a_note_not_an_error() {
    let (_tmp, ws) = workspace_with_data();
    let map = "marja-markkinoija-current";
    let maps = ls_json(&ws)["maps"].clone();
    assert!(
        maps.as_array().unwrap().iter().any(|m| m["id"] == map),
        "{maps}"
    );
    let funnel = ok(
        &ws,
        &[
            "funnel",
            "--steps",
            "page_view",
            "--map",
            map,
            "--format",
            "json",
        ],
    );
    assert!(json(&funnel)["steps"][0]["count"].as_u64().unwrap() > 0);
    let paths = ok(
        &ws,
        &[
            "paths",
            "--start",
            "page_view",
            "--map",
            map,
            "--format",
            "json",
        ],
    );
    for run in [&funnel, &paths] {
        assert!(
            run.stderr
                .contains(&format!("map `{map}` has no match rules")),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("unexpected result type"),
            "{}",
            run.stderr
        );
    }
}

/// The stage funnel ends at the map's last stage: customers there reached the end, so
/// `stages` shows no drop-off for it, as the report and breakpoints do; the funnel's footer
/// names the order mode.
#[test]
fn the_last_stage_has_no_drop_off_and_the_funnel_names_its_order() {
    let (_tmp, ws) = workspace_with_bound_data();
    let report = json(&ok(&ws, &["stages", "hanna-data", "--format", "json"]));
    let stages = report["stages"].as_array().unwrap();
    let last = stages.last().unwrap();
    assert_eq!(last["stage"], "purchase");
    assert!(last["reached"].as_u64().unwrap() > 0, "{last}");
    assert_eq!(last["drop_off"].as_u64(), Some(0), "{last}");
    assert_eq!(last["drop_off_rate"].as_f64(), Some(0.0), "{last}");
    assert!(stages[0]["drop_off"].as_u64().unwrap() > 0, "{report}");
    let table = ok(&ws, &["stages", "hanna-data"]).stdout;
    let row = table
        .lines()
        .find(|l| l.starts_with("purchase"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(!row.contains('%'), "{row}");
    let csv = ok(&ws, &["stages", "hanna-data", "--format", "csv"]).stdout;
    let last_line = csv.lines().last().unwrap();
    assert!(last_line.starts_with("purchase,"), "{csv}");
    assert_eq!(last_line.split(',').nth(4), Some("0"), "{csv}");

    let funnel = ok(&ws, &["funnel", "--steps", "page_view,lead_created"]).stdout;
    assert!(funnel.contains("order: ordered, no window"), "{funnel}");
    assert!(!funnel.contains("ordered order"), "{funnel}");
}

/// A funnel step or a path's start or end that names nothing in the data gives 0 or no
/// paths, and a note on standard error says why.
#[test]
fn steps_and_path_ends_that_name_nothing_are_noted() {
    let (_tmp, ws) = workspace_with_data();
    let funnel = ok(
        &ws,
        &[
            "funnel",
            "--steps",
            "page_view,lead_createdd",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&funnel)["steps"][1]["count"].as_u64(), Some(0));
    assert!(
        funnel
            .stderr
            .contains("step `lead_createdd` is no event name"),
        "{}",
        funnel.stderr
    );
    assert!(!funnel.stderr.contains("`page_view`"), "{}", funnel.stderr);
    let fine = ok(&ws, &["funnel", "--steps", "page_view,lead_created"]);
    assert!(!fine.stderr.contains("no event name"), "{}", fine.stderr);

    // `deal_won` is an event, not a channel group.
    let channel = ok(
        &ws,
        &[
            "paths", "--end", "deal_won", "--node", "channel", "--format", "json",
        ],
    );
    assert_eq!(
        json(&channel)["journeys"].as_u64(),
        Some(0),
        "{}",
        channel.stdout
    );
    assert!(
        channel
            .stderr
            .contains("`deal_won` is no channel group of the events counted"),
        "{}",
        channel.stderr
    );
    let event = ok(
        &ws,
        &[
            "paths", "--end", "deal_won", "--node", "event", "--format", "json",
        ],
    );
    assert!(json(&event)["journeys"].as_u64().unwrap() > 0);
    assert!(
        !event.stderr.contains("note: `deal_won`"),
        "{}",
        event.stderr
    );
    let start = ok(
        &ws,
        &["paths", "--start", "Paid Search", "--node", "channel"],
    );
    assert!(
        !start.stderr.contains("no channel group"),
        "{}",
        start.stderr
    );
}

/// `polku distributions` alone measures the one map whose touchpoints have `match` rules, as
/// `kpis` does; where no map is bound it asks for a conversion.
#[test]
fn distributions_without_options_use_the_bound_map() {
    let (tmp, ws) = workspace_with_data();
    let alone = ok(&ws, &["distributions", "--format", "json"]).stdout;
    let mapped = ok(
        &ws,
        &[
            "distributions",
            "--map",
            "hr-hanna-current",
            "--format",
            "json",
        ],
    )
    .stdout;
    assert_eq!(alone, mapped);
    assert!(json(&ok(&ws, &["distributions", "--format", "json"]))["converted"].as_u64() > Some(0));
    // A workspace without bound maps.
    let bare = tmp.path().join("bare");
    ok(
        tmp.path(),
        &["init", "bare", "--template", "b2b", "--lang", "en"],
    );
    for map in ["hr-hanna-current", "hr-hanna-future"] {
        let _ = std::fs::remove_file(bare.join(format!("maps/{map}.yaml")));
    }
    let run = polku(&bare, &["distributions"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--conversion"), "{}", run.stderr);
}
